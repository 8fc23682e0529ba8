#pragma once

// Error-only results of JoinGroup and SyncGroup, shared by the coordinator's source files.
//
// JoinResult and SyncResult carry Kafka's ErrorCode rather than being a Result<T, E>: the group
// coordinator speaks Kafka's group protocol, and these are its wire answers (an error answer
// still carries fields, such as the member id of MEMBER_ID_REQUIRED), not an internal failure
// that a handler would translate.

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
