#pragma once

// `Result<T, E>`: a value or the error that prevented it, the one value-or-error shape of the
// broker. It is shaped like C++23's `std::expected` (the same member names and the same
// `Unexpected` wrapper for errors), so the tree can alias it to `std::expected` when it moves to
// `-std=c++23`; it is our own because switching the standard rebuilds everything for everyone.
//
// Each layer picks its own `E`: `storage::Errc`, `cluster::Errc`, `net::NetError`, a
// message for configuration. Kafka's `ErrorCode` is chosen only at the handler edge. A Result
// with an enum error does not allocate, so it is fit for the produce and fetch paths.
//
// Accessing the value of an error (or the error of a value) is a bug: it asserts, in every
// build type, like the rest of our invariants.

#include <type_traits>
#include <utility>
#include <variant>

#include "broker/model/assert.h"

namespace runnel {

// An error on its way into a Result: `return Unexpected(Errc::closed);`. The wrapper keeps
// `Result<int, int>` unambiguous and makes the error path visible at the return statement.
template <typename E>
class Unexpected {
 public:
  constexpr explicit Unexpected(E error) : error_(std::move(error)) {}
  constexpr const E& error() const& { return error_; }
  constexpr E& error() & { return error_; }
  constexpr E&& error() && { return std::move(error_); }

 private:
  E error_;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  constexpr Result()
    requires std::is_default_constructible_v<T>
      : v_(std::in_place_index<0>) {}
  constexpr Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename G>
    requires std::is_constructible_v<E, G>
  constexpr Result(Unexpected<G> error)  // NOLINT(google-explicit-constructor)
      : v_(std::in_place_index<1>, std::move(error).error()) {}

  constexpr bool has_value() const { return v_.index() == 0; }
  constexpr explicit operator bool() const { return has_value(); }

  constexpr T& value() & {
    check_value();
    return *std::get_if<0>(&v_);
  }
  constexpr const T& value() const& {
    check_value();
    return *std::get_if<0>(&v_);
  }
  constexpr T&& value() && {
    check_value();
    return std::move(*std::get_if<0>(&v_));
  }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }
  constexpr T&& operator*() && { return std::move(*this).value(); }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }

  constexpr const E& error() const& {
    RUNNEL_ASSERT(!has_value(), "Result::error() on a value");
    return *std::get_if<1>(&v_);
  }
  constexpr E& error() & {
    RUNNEL_ASSERT(!has_value(), "Result::error() on a value");
    return *std::get_if<1>(&v_);
  }
  constexpr E&& error() && {
    RUNNEL_ASSERT(!has_value(), "Result::error() on a value");
    return std::move(*std::get_if<1>(&v_));
  }

  template <typename U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? *std::get_if<0>(&v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  constexpr void check_value() const { RUNNEL_ASSERT(has_value(), "Result::value() on an error"); }

  std::variant<T, E> v_;
};

// A success that carries nothing but the fact: `Result<void, E>{}` is success.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  constexpr Result() = default;
  template <typename G>
    requires std::is_constructible_v<E, G>
  constexpr Result(Unexpected<G> error)  // NOLINT(google-explicit-constructor)
      : ok_(false), error_(std::move(error).error()) {}

  constexpr bool has_value() const { return ok_; }
  constexpr explicit operator bool() const { return ok_; }
  constexpr void value() const { RUNNEL_ASSERT(ok_, "Result::value() on an error"); }

  constexpr const E& error() const& {
    RUNNEL_ASSERT(!ok_, "Result::error() on a value");
    return error_;
  }
  constexpr E& error() & {
    RUNNEL_ASSERT(!ok_, "Result::error() on a value");
    return error_;
  }
  constexpr E&& error() && {
    RUNNEL_ASSERT(!ok_, "Result::error() on a value");
    return std::move(error_);
  }

 private:
  bool ok_ = true;
  E error_{};
};

}  // namespace runnel
