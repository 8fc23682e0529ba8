#include "broker/model/error_code.h"
#include "broker/protocol/generated/api_keys.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/server/handler_registry.h"
#include "broker/server/handlers/api_versions_fallback.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"

namespace runnel::server::handlers {

namespace {
protocol::ApiVersionsResponse supported(int16_t error, ListenerRole listener) {
  protocol::ApiVersionsResponse resp;
  resp.error_code = error;
  for (const ApiHandler& h : api_handlers()) {
    if (!serves(listener, h.api_key)) continue;
    protocol::ApiVersionsResponse::ApiVersion v;
    v.api_key = h.api_key;
    v.min_version = h.min_version;
    v.max_version = h.max_version;
    resp.api_keys.push_back(v);
  }
  return resp;
}
}  // namespace

void encode_api_versions_fallback(int32_t correlation_id, std::vector<uint8_t>& out) {
  protocol::Writer w(out);
  w.write_int32(0);
  w.write_int32(correlation_id);
  // Like Kafka, the fallback lists only ApiVersions itself: the client needs nothing else to
  // retry with a version both sides know.
  protocol::ApiVersionsResponse resp;
  resp.error_code = static_cast<int16_t>(ErrorCode::unsupported_version);
  for (const ApiHandler& h : api_handlers()) {
    if (h.api_key == static_cast<int16_t>(protocol::ApiKey::kApiVersions)) {
      auto& v = resp.api_keys.emplace_back();
      v.api_key = h.api_key;
      v.min_version = h.min_version;
      v.max_version = h.max_version;
    }
  }
  resp.encode(w, 0);
  w.patch_int32(0, static_cast<int32_t>(out.size() - 4));
}

io::Task<HandlerStatus> api_versions(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ApiVersionsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  // Kafka validates the client software name/version (v3+) and answers INVALID_REQUEST.
  auto valid = [](const std::string& s) {
    if (s.empty()) return false;
    for (char c : s) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      if (!ok) return false;
    }
    return (std::isalnum(static_cast<unsigned char>(s.front())) != 0) &&
           (std::isalnum(static_cast<unsigned char>(s.back())) != 0);
  };
  int16_t error = 0;
  if (ctx.api_version >= 3 && (!valid(req.client_software_name) || !valid(req.client_software_version))) {
    error = static_cast<int16_t>(ErrorCode::invalid_request);
  }
  protocol::ApiVersionsResponse resp = supported(error, ctx.listener);
  note_error_code(ctx, resp.error_code);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
