#pragma once
// One Kafka protocol connection: framing (int32 size, request header v1/v2, response header
// v0/v1), correlation ids, and the API versions agreed with the broker through ApiVersions.
//
// `call<Response>(request)` picks min(our highest version, the broker's highest) for the API,
// sends the request and decodes the answer. A transport failure closes the connection; the
// caller reconnects.

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/protocol/generated/api_keys.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/generated/response_header.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"
#include "operator/admin/socket.h"

namespace runnel::operator_admin {

class KafkaConnection {
 public:
  // Answers larger than this are refused rather than allocated: admin answers are small, and a
  // garbage size prefix (wrong port, TLS listener) must not allocate gigabytes.
  static constexpr int32_t kMaxResponseBytes = 64 << 20;

  // Connects and negotiates versions with ApiVersions.
  static Outcome<KafkaConnection> open(const std::string& address, const std::string& client_id,
                                       std::chrono::milliseconds timeout);

  // The version to use for `key` given our codec's range, or -1 when the ranges do not overlap
  // (or the broker does not offer the API).
  int16_t version_for(int16_t key, int16_t our_min, int16_t our_max) const;

  template <class Response, class Request>
  Outcome<Response> call(const Request& request, int16_t version) {
    std::vector<uint8_t> body;
    Writer w(body);
    request.encode(w, version);
    if (!w.ok()) return AdminError::protocol("request does not fit the wire format");
    auto raw = round_trip(Request::kApiKey, version, body);
    if (!raw.ok()) return raw.error();
    Reader r(raw.value().data() + payload_offset_, raw.value().size() - payload_offset_);
    Response response;
    if (!response.decode(r, version) || !r.ok()) {
      return AdminError::protocol("undecodable " + api_name(Request::kApiKey) + " v" +
                                  std::to_string(version) + " response from " + address_);
    }
    return response;
  }

  // Negotiates the version itself; UNSUPPORTED_VERSION when the broker offers none we speak.
  template <class Response, class Request>
  Outcome<Response> call(const Request& request) {
    int16_t v = version_for(Request::kApiKey, Request::kMinVersion, Request::kMaxVersion);
    if (v < 0) {
      return AdminError::kafka(ErrorCode::unsupported_version,
                               address_ + " offers no version of " + api_name(Request::kApiKey) +
                                   " this client speaks");
    }
    return call<Response>(request, v);
  }

  const std::string& address() const { return address_; }
  bool is_open() const { return socket_.is_open(); }

 private:
  KafkaConnection(Socket socket, std::string address, std::string client_id,
                  std::chrono::milliseconds timeout)
      : socket_(std::move(socket)),
        address_(std::move(address)),
        client_id_(std::move(client_id)),
        timeout_(timeout) {}

  // Sends one framed request and returns the whole response frame (without its size prefix);
  // the body starts at `payload_offset_` (past the response header).
  Outcome<std::vector<uint8_t>> round_trip(int16_t key, int16_t version,
                                           const std::vector<uint8_t>& body);
  Status negotiate_versions();
  static std::string api_name(int16_t key);

  using Reader = runnel::protocol::Reader;
  using Writer = runnel::protocol::Writer;

  Socket socket_;
  std::string address_;
  std::string client_id_;
  std::chrono::milliseconds timeout_;
  int32_t next_correlation_id_ = 1;
  size_t payload_offset_ = 0;
  struct Range {
    int16_t min = 0;
    int16_t max = -1;
  };
  std::unordered_map<int16_t, Range> broker_versions_;
};

}  // namespace runnel::operator_admin
