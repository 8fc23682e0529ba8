// CreatePartitions (API 37): grows topics one by one through the controller, which applies
// Kafka's checks (INVALID_PARTITIONS when not an increase, INVALID_REPLICA_ASSIGNMENT for bad
// assignments). A topic named twice in one request is INVALID_REQUEST, as in ControllerApis.
#include <map>
#include <set>

#include "broker/protocol/generated/create_partitions_request.h"
#include "broker/protocol/generated/create_partitions_response.h"
#include "broker/server/broker.h"
#include "broker/server/cluster_errors.h"
#include "broker/server/controller.h"
#include "broker/server/router.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/forward.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> create_partitions(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
  protocol::CreatePartitionsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;

  std::map<std::string, int> occurrences;
  for (const auto& t : req.topics) ++occurrences[t.name];

  protocol::CreatePartitionsResponse resp;
  std::set<std::string> answered;
  for (auto& t : req.topics) {
    if (!answered.insert(t.name).second) continue;
    protocol::CreatePartitionsResponse::CreatePartitionsTopicResult r;
    r.name = t.name;
    if (occurrences[t.name] > 1) {
      r.error_code = wire(ErrorCode::invalid_request);
      r.error_message = "Duplicate topic name.";
      resp.results.push_back(std::move(r));
      continue;
    }
    std::optional<std::vector<std::vector<int32_t>>> assignment;
    if (t.assignments) {
      assignment.emplace();
      for (auto& a : *t.assignments) assignment->push_back(std::move(a.broker_ids));
    }
    std::string name = t.name;
    int32_t count = t.count;
    bool validate_only = req.validate_only;
    Controller::TopicResult res = co_await Router(shard).on_controller(
        [&name, count, &assignment, validate_only](Controller& controller) -> io::Task<Controller::TopicResult> {
          co_return co_await controller.create_partitions(name, count, std::move(assignment), validate_only);
        });
    if (!res) {
      r.error_code = wire(to_kafka(res.error()));
      if (!res.error().message.empty()) r.error_message = res.error().message;
    }
    resp.results.push_back(std::move(r));
  }
  note_errors(ctx, resp.results);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
