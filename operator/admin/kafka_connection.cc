#include "operator/admin/kafka_connection.h"

#include <algorithm>

#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"

namespace runnel::operator_admin {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;

std::string KafkaConnection::api_name(int16_t key) {
  const auto* info = protocol::find_api_key(key);
  return info != nullptr ? std::string(info->name) : "api " + std::to_string(key);
}

Outcome<KafkaConnection> KafkaConnection::open(const std::string& address,
                                               const std::string& client_id,
                                               std::chrono::milliseconds timeout) {
  auto socket = Socket::connect(address, timeout);
  if (!socket.ok()) return socket.error();
  KafkaConnection conn(std::move(socket.value()), address, client_id, timeout);
  Status negotiated = conn.negotiate_versions();
  if (!negotiated.ok()) return negotiated.error();
  return conn;
}

int16_t KafkaConnection::version_for(int16_t key, int16_t our_min, int16_t our_max) const {
  auto it = broker_versions_.find(key);
  if (it == broker_versions_.end()) return -1;
  int16_t v = std::min(our_max, it->second.max);
  return v < std::max(our_min, it->second.min) ? int16_t{-1} : v;
}

Status KafkaConnection::negotiate_versions() {
  // The first ApiVersions goes out at our highest version. A broker that does not know it answers
  // UNSUPPORTED_VERSION in the v0 layout, listing the ApiVersions range it does speak (KIP-511);
  // we retry once at that range's maximum.
  int16_t version = ApiVersionsRequest::kMaxVersion;
  for (int attempt = 0; attempt < 2; ++attempt) {
    ApiVersionsRequest request;
    request.client_software_name = "runnel-operator";
    request.client_software_version = "0.1.0";
    std::vector<uint8_t> body;
    Writer w(body);
    request.encode(w, version);
    auto raw = round_trip(ApiVersionsRequest::kApiKey, version, body);
    if (!raw.ok()) return raw.error();
    ApiVersionsResponse r;
    Reader reader(raw.value().data() + payload_offset_, raw.value().size() - payload_offset_);
    if (!r.decode(reader, version) || !reader.ok()) {
      // The UNSUPPORTED_VERSION fallback is always in the v0 layout.
      r = ApiVersionsResponse{};
      Reader v0(raw.value().data() + payload_offset_, raw.value().size() - payload_offset_);
      if (!r.decode(v0, 0) || !v0.ok()) {
        socket_.close();
        return AdminError::protocol("undecodable ApiVersions answer from " + address_);
      }
    }
    if (r.error_code == wire(ErrorCode::unsupported_version) && attempt == 0) {
      auto it = std::find_if(r.api_keys.begin(), r.api_keys.end(), [](const auto& k) {
        return k.api_key == ApiVersionsRequest::kApiKey;
      });
      if (it == r.api_keys.end()) break;
      version = std::min<int16_t>(it->max_version, ApiVersionsRequest::kMaxVersion);
      continue;
    }
    if (r.error_code != 0) {
      return AdminError::kafka(static_cast<ErrorCode>(r.error_code), "ApiVersions refused by " + address_);
    }
    for (const auto& k : r.api_keys) broker_versions_[k.api_key] = Range{k.min_version, k.max_version};
    return Done{};
  }
  return AdminError::kafka(ErrorCode::unsupported_version,
                           address_ + " speaks no ApiVersions version this client knows");
}

Outcome<std::vector<uint8_t>> KafkaConnection::round_trip(int16_t key, int16_t version,
                                                          const std::vector<uint8_t>& body) {
  if (!socket_.is_open()) return AdminError::transport("connection to " + address_ + " is closed");
  const auto deadline = Clock::now() + timeout_;
  const int16_t request_header_v = protocol::request_header_version(key, version);
  const int16_t response_header_v = protocol::response_header_version(key, version);
  if (request_header_v < 0 || response_header_v < 0) {
    return AdminError::protocol("no header version for " + api_name(key) + " v" + std::to_string(version));
  }

  protocol::RequestHeader header;
  header.request_api_key = key;
  header.request_api_version = version;
  header.correlation_id = next_correlation_id_++;
  header.client_id = client_id_;
  std::vector<uint8_t> frame(4, 0);
  Writer w(frame);
  header.encode(w, request_header_v);
  frame.insert(frame.end(), body.begin(), body.end());
  const auto size = static_cast<uint32_t>(frame.size() - 4);
  for (int i = 0; i < 4; ++i) frame[i] = static_cast<uint8_t>(size >> (24 - 8 * i));

  auto fail = [this](AdminError e) {
    // After any transport or framing failure the stream position is unknown: never reuse it.
    socket_.close();
    return e;
  };
  if (auto st = socket_.write_all(frame.data(), frame.size(), deadline); !st.ok()) return fail(st.error());

  uint8_t size_bytes[4];
  if (auto st = socket_.read_exact(size_bytes, 4, deadline); !st.ok()) return fail(st.error());
  const int32_t response_size = static_cast<int32_t>(
      (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
      (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]});
  if (response_size < 4 || response_size > kMaxResponseBytes) {
    return fail(AdminError::protocol("response size " + std::to_string(response_size) + " from " +
                                     address_ + " is out of range (is this a Kafka listener?)"));
  }
  std::vector<uint8_t> response(static_cast<size_t>(response_size));
  if (auto st = socket_.read_exact(response.data(), response.size(), deadline); !st.ok()) {
    return fail(st.error());
  }

  Reader r(response.data(), response.size());
  protocol::ResponseHeader response_header;
  if (!response_header.decode(r, response_header_v) || !r.ok()) {
    return fail(AdminError::protocol("undecodable response header from " + address_));
  }
  if (response_header.correlation_id != header.correlation_id) {
    return fail(AdminError::protocol("correlation id " + std::to_string(response_header.correlation_id) +
                                     " from " + address_ + ", expected " +
                                     std::to_string(header.correlation_id)));
  }
  payload_offset_ = r.position();
  return response;
}

}  // namespace runnel::operator_admin
