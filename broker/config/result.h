#pragma once

#include <optional>
#include <string>
#include <utility>

#include "broker/model/assert.h"

namespace runnel::config {

// A value or a message a person can act on. Configuration errors are reported to whoever
// started the broker (or to an admin client), so the error is text, not a code.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  static Result failure(std::string message) {
    Result r;
    r.error_ = std::move(message);
    return r;
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    RUNNEL_ASSERT(ok(), "Result::value() on error: %s", error_.c_str());
    return *value_;
  }
  T& value() & {
    RUNNEL_ASSERT(ok(), "Result::value() on error: %s", error_.c_str());
    return *value_;
  }
  T&& value() && {
    RUNNEL_ASSERT(ok(), "Result::value() on error: %s", error_.c_str());
    return std::move(*value_);
  }
  const std::string& error() const { return error_; }

 private:
  Result() = default;
  std::optional<T> value_;
  std::string error_;
};

}  // namespace runnel::config
