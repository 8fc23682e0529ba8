#pragma once
// The outcome of turning API JSON into a typed object: a value, or a message saying which field
// was malformed (the schema should prevent that, but a controller must not crash on it): the
// broker's `Result` (broker/model/result.h) with the message as its error.

#include <string>

#include "broker/model/result.h"

namespace runnel::api {

template <class T>
using Parsed = runnel::Result<T, std::string>;

}  // namespace runnel::api
