#pragma once

#include <cstdint>

#include "broker/server/request_context.h"

namespace runnel::server::handlers {

// Reports the first non-zero error_code among `items` (anything with an `error_code` member)
// to the request's metrics label; see RequestContext::note_error.
template <typename Items>
void note_errors(RequestInfo& ctx, const Items& items) {
  for (const auto& item : items) {
    if (item.error_code != 0) {
      ctx.note_error(static_cast<ErrorCode>(item.error_code));
      return;
    }
  }
}

inline void note_error_code(RequestInfo& ctx, int16_t error_code) {
  if (error_code != 0) ctx.note_error(static_cast<ErrorCode>(error_code));
}

}  // namespace runnel::server::handlers
