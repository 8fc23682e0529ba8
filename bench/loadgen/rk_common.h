// librdkafka plumbing shared by the client-based load generators.
#pragma once
#include <librdkafka/rdkafka.h>

#include <string>
#include <utility>
#include <vector>

#include "common.h"

namespace bench {

using Conf = std::vector<std::pair<std::string, std::string>>;

// Builds a handle of `type` from `conf` (plus `--X key=value` style extras already merged in);
// exits with the librdkafka message on a bad property.
rd_kafka_t* make_client(rd_kafka_type_t type, const Conf& conf, void (*dr_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr,
                        void* opaque = nullptr);

// Extra client properties given as --rdkafka "k=v,k=v" (recorded by the harness as deviations).
void add_extra(Conf& conf, const std::string& spec);

// Consumer reading every partition of `topic` from the beginning, without a group.
rd_kafka_t* make_assigned_consumer(const std::string& brokers, const std::string& topic, int partitions,
                                   int64_t start_offset, const std::string& extra);

}  // namespace bench
