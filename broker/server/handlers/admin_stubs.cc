// Temporary: admin handlers not written yet close the connection, as Kafka does for an API it
// does not serve. Each moves to its own file when implemented.
#include "broker/server/handlers/handlers.h"

namespace runnel::server::handlers {

#define RUNNEL_STUB(name) \
  io::Task<HandlerStatus> name(RequestContext&, protocol::Reader&, protocol::Writer&) { co_return HandlerStatus::close; }
RUNNEL_STUB(create_topics)
RUNNEL_STUB(delete_topics)
RUNNEL_STUB(create_partitions)
RUNNEL_STUB(describe_configs)
RUNNEL_STUB(alter_configs)
RUNNEL_STUB(incremental_alter_configs)
RUNNEL_STUB(describe_cluster)
RUNNEL_STUB(init_producer_id)

}  // namespace runnel::server::handlers
