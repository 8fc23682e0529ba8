#pragma once

#include <string>

#include "broker/model/result.h"

namespace runnel::config {

// A value or a message a person can act on. Configuration errors are reported to whoever
// started the broker (or to an admin client), so the error is text, not a code; it is never on
// a hot path.
template <typename T>
using Result = runnel::Result<T, std::string>;

}  // namespace runnel::config
