#pragma once
// Errors of the operator's Kafka admin client, as values: every operation returns an `Outcome`
// (a `Result<T, AdminError>`) holding either its value or an `AdminError`. The controller
// branches on the kind (a transport error means "broker unreachable, retry later"; a Kafka error
// carries the broker's code and message, e.g. INVALID_PARTITIONS, which is shown to the user in
// a condition).

#include <cstdint>
#include <string>
#include <utility>

#include "broker/model/error_code.h"
#include "broker/model/result.h"

namespace runnel::operator_admin {

struct AdminError {
  enum class Kind : uint8_t {
    kafka,      // the broker answered with a non-zero error code
    transport,  // connect/read/write failed or timed out; nothing (more) is known
    protocol,   // the broker's answer could not be decoded, or was not the one asked for
  };
  Kind kind = Kind::kafka;
  ErrorCode code = ErrorCode::none;  // meaningful for Kind::kafka only
  std::string message;

  static AdminError kafka(ErrorCode code, std::string message) {
    return {Kind::kafka, code, std::move(message)};
  }
  static AdminError transport(std::string message) {
    return {Kind::transport, ErrorCode::none, std::move(message)};
  }
  static AdminError protocol(std::string message) {
    return {Kind::protocol, ErrorCode::none, std::move(message)};
  }

  bool is(ErrorCode c) const { return kind == Kind::kafka && code == c; }
  bool is_transport() const { return kind == Kind::transport; }
  // "INVALID_PARTITIONS: Topic already has 3 partition(s)." / "transport: connect ...: refused".
  std::string describe() const {
    switch (kind) {
      case Kind::kafka:
        return std::string(error_name(code)) + (message.empty() ? "" : ": " + message);
      case Kind::transport: return "transport: " + message;
      case Kind::protocol: return "protocol: " + message;
    }
    return message;
  }
};

// A value or an AdminError: the broker's `Result` (broker/model/result.h) with the admin
// client's error. Two conveniences for its many call sites: an AdminError converts to a failed
// Outcome without `Unexpected`, and ok() is has_value().
template <class T>
class Outcome : public runnel::Result<T, AdminError> {
  using Base = runnel::Result<T, AdminError>;

 public:
  using Base::Base;
  Outcome(AdminError error) : Base(runnel::Unexpected(std::move(error))) {}  // NOLINT: implicit by design

  bool ok() const { return this->has_value(); }
};

// For operations that return nothing but success.
struct Done {};
using Status = Outcome<Done>;

}  // namespace runnel::operator_admin
