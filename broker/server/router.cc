#include "broker/server/router.h"

#include "broker/group/offsets_partition.h"
#include "broker/server/group_service.h"

namespace runnel::server {

int Router::group_core(const std::string& group_id) const {
  int32_t p = group::offsets_partition_for(group_id, broker_.config().offsets_topic_num_partitions);
  return broker_.owner_of(kOffsetsTopic, p);
}

}  // namespace runnel::server
