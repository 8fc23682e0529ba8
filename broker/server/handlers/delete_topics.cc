// DeleteTopics (API 20): by name (v0-5) or by name or topic id (v6+). The request checks
// (duplicates, name and id together, neither) and their messages follow Kafka's
// ControllerApis.deleteTopics; the deletion itself is the controller's.
#include <map>
#include <set>

#include "broker/protocol/generated/delete_topics_request.h"
#include "broker/protocol/generated/delete_topics_response.h"
#include "broker/server/broker.h"
#include "broker/server/cluster_errors.h"
#include "broker/server/controller.h"
#include "broker/server/router.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/forward.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

using Result = protocol::DeleteTopicsResponse::DeletableTopicResult;

Result result(std::optional<std::string> name, const Uuid& id, ErrorCode code, std::string message = {}) {
  Result r;
  r.name = std::move(name);
  r.topic_id = id;
  r.error_code = wire(code);
  if (!message.empty()) r.error_message = std::move(message);
  return r;
}

}  // namespace

io::Task<HandlerStatus> delete_topics(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  if (auto forwarded = co_await forward_to_controller(ctx, body, out)) co_return *forwarded;
  protocol::DeleteTopicsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;
  Broker& broker = shard.broker();
  // Before v6 the request lists names only; view both shapes as (name, id) entries.
  if (ctx.api_version < 6) {
    for (auto& n : req.topic_names) {
      protocol::DeleteTopicsRequest::DeleteTopicState s;
      s.name = std::move(n);
      req.topics.push_back(std::move(s));
    }
  }

  protocol::DeleteTopicsResponse resp;
  if (!broker.config().delete_topic_enable) {
    // Kafka fails the whole request; clients before v3 did not know TOPIC_DELETION_DISABLED.
    ErrorCode code = ctx.api_version < 3 ? ErrorCode::invalid_request : ErrorCode::topic_deletion_disabled;
    for (const auto& t : req.topics) resp.responses.push_back(result(t.name, t.topic_id, code));
    resp.encode(out, ctx.api_version);
    co_return HandlerStatus::respond;
  }

  std::map<std::string, int> name_count;
  std::map<std::string, int> id_count;  // key: base64 id
  for (const auto& t : req.topics) {
    if (t.name && t.topic_id.is_zero()) ++name_count[*t.name];
    if (!t.name && !t.topic_id.is_zero()) ++id_count[t.topic_id.to_base64()];
  }

  cluster::ImagePtr image = shard.image();
  std::vector<std::pair<std::string, Uuid>> to_delete;  // resolved names and their ids
  std::set<std::string> reported;                       // duplicates answered once
  std::set<std::string> ids_taken;
  // Ids first, as Kafka resolves them before names: a name that maps to an id given
  // explicitly is a conflict.
  for (const auto& t : req.topics) {
    if (t.name || t.topic_id.is_zero()) continue;
    std::string key = t.topic_id.to_base64();
    if (id_count[key] > 1) {
      if (reported.insert("id:" + key).second) {
        resp.responses.push_back(result(std::nullopt, t.topic_id, ErrorCode::invalid_request, "Duplicate topic id."));
      }
      continue;
    }
    const cluster::TopicInfo* info = image->topic_by_id(t.topic_id);
    if (info == nullptr) {
      resp.responses.push_back(result(std::nullopt, t.topic_id, ErrorCode::unknown_topic_id));
      continue;
    }
    ids_taken.insert(key);
    to_delete.emplace_back(info->name, info->id);
  }
  for (const auto& t : req.topics) {
    if (!t.name && t.topic_id.is_zero()) {
      resp.responses.push_back(
          result(std::nullopt, t.topic_id, ErrorCode::invalid_request, "Neither topic name nor id were specified."));
      continue;
    }
    if (t.name && !t.topic_id.is_zero()) {
      resp.responses.push_back(
          result(t.name, t.topic_id, ErrorCode::invalid_request, "You may not specify both topic name and topic id."));
      continue;
    }
    if (!t.name) continue;  // by id, handled above
    if (name_count[*t.name] > 1) {
      if (reported.insert("name:" + *t.name).second) {
        resp.responses.push_back(result(t.name, Uuid{}, ErrorCode::invalid_request, "Duplicate topic name."));
      }
      continue;
    }
    const cluster::TopicInfo* info = image->topic(*t.name);
    if (info == nullptr) {
      resp.responses.push_back(result(t.name, Uuid{}, ErrorCode::unknown_topic_or_partition));
      continue;
    }
    if (ids_taken.count(info->id.to_base64()) != 0 || id_count[info->id.to_base64()] > 1) {
      resp.responses.push_back(result(t.name, info->id, ErrorCode::invalid_request,
                                      "The provided topic name maps to an ID that was already supplied."));
      // Kafka then deletes neither: drop the id's pending deletion too.
      std::erase_if(to_delete, [&](const auto& d) { return d.second == info->id; });
      continue;
    }
    to_delete.emplace_back(info->name, info->id);
  }

  if (!to_delete.empty()) {
    std::vector<std::pair<std::string, Uuid>> by_name;
    for (const auto& [name, id] : to_delete) by_name.emplace_back(name, Uuid{});
    std::vector<Controller::TopicResult> deleted = co_await Router(shard).on_controller(
        [&by_name](Controller& controller) -> io::Task<std::vector<Controller::TopicResult>> {
          co_return co_await controller.delete_topics(std::move(by_name));
        });
    for (size_t i = 0; i < deleted.size(); ++i) {
      const auto& [name, id] = to_delete[i];
      if (deleted[i]) {
        resp.responses.push_back(result(name, id, ErrorCode::none));
      } else {
        resp.responses.push_back(result(name, id, to_kafka(deleted[i].error()), deleted[i].error().message));
      }
    }
  }
  note_errors(ctx, resp.responses);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
