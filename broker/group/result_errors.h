#pragma once

// Error-only results of JoinGroup and SyncGroup, shared by the coordinator's source files.

#include <string>
#include <utility>

#include "broker/group/coordinator.h"

namespace runnel::group::detail {

inline JoinResult join_error(ErrorCode e, std::string member_id = {}) {
  JoinResult r;
  r.error = e;
  r.member_id = std::move(member_id);
  return r;
}

inline SyncResult sync_error(ErrorCode e) {
  SyncResult r;
  r.error = e;
  return r;
}

}  // namespace runnel::group::detail
