#pragma once
// Errors of the operator's Kafka admin client, as values: every operation returns an `Outcome`
// holding either its value or an `AdminError`. The controller branches on the kind (a transport
// error means "broker unreachable, retry later"; a Kafka error carries the broker's code and
// message, e.g. INVALID_PARTITIONS, which is shown to the user in a condition).

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "broker/model/assert.h"
#include "broker/model/error_code.h"

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

// A value or an AdminError (std::expected is C++23).
template <class T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Outcome(AdminError error) : v_(std::move(error)) {}   // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() {
    RUNNEL_ASSERT(ok(), "Outcome::value() on an error");
    return std::get<0>(v_);
  }
  const T& value() const {
    RUNNEL_ASSERT(ok(), "Outcome::value() on an error");
    return std::get<0>(v_);
  }
  const AdminError& error() const {
    RUNNEL_ASSERT(!ok(), "Outcome::error() on a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, AdminError> v_;
};

// For operations that return nothing but success.
struct Done {};
using Status = Outcome<Done>;

}  // namespace runnel::operator_admin
