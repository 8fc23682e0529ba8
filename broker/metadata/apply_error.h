#pragma once

// Why a record could not be applied to an image. Committed records come from the controller,
// which checks the same rules before it appends them, so an ApplyError on a broker means a bug
// or a damaged log; the owner stops applying rather than serve a wrong image.

#include <cstdint>
#include <string>

#include "broker/metadata/records.h"

namespace runnel::metadata {

enum class ApplyErrc : uint8_t {
  unknown_broker,           // a change to a broker that is not registered
  stale_broker_epoch,       // a change naming an older registration of the broker
  duplicate_topic,          // a TopicRecord whose name or id is taken
  unknown_topic,            // a record naming a topic that does not exist
  unknown_partition,        // a change to a partition that does not exist, or a gap in ids
  invalid_partition,        // replicas/ISR/leader that break a partition's invariants
  invalid_config_resource,  // a broker resource name that is not a broker id
  producer_ids_not_increasing,
  offset_not_increasing,    // records applied out of log order
};

struct ApplyError {
  ApplyErrc code = ApplyErrc::invalid_partition;
  RecordType record = RecordType::topic;
  std::string detail;  // the values, for the log line that reports it
};

const char* name(ApplyErrc code);

}  // namespace runnel::metadata
