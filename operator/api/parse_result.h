#pragma once
// The outcome of turning API JSON into a typed object: a value, or a message saying which field
// was malformed (the schema should prevent that, but a controller must not crash on it).

#include <optional>
#include <string>
#include <utility>

namespace runnel::api {

template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;

  bool ok() const { return value.has_value(); }
  static Parsed success(T v) { return {std::move(v), {}}; }
  static Parsed failure(std::string e) { return {std::nullopt, std::move(e)}; }
};

}  // namespace runnel::api
