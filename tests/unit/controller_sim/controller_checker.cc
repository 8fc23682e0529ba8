#include "controller_checker.h"

#include <algorithm>

#include "broker/metadata/snapshot.h"

namespace runnel::controller_sim {

namespace {

std::string str(const Uuid& id) { return id.to_base64(); }
std::string str(NodeId id) { return std::to_string(id.value()); }

bool contains(const std::vector<NodeId>& v, NodeId x) { return std::find(v.begin(), v.end(), x) != v.end(); }

bool distinct(std::vector<NodeId> v) {
  std::sort(v.begin(), v.end());
  return std::adjacent_find(v.begin(), v.end()) == v.end();
}

}  // namespace

void ControllerChecker::fail(std::string message) {
  if (!violation_) violation_ = std::move(message);
}

void ControllerChecker::on_start(size_t node) { nodes_[node] = PerNode{}; }

void ControllerChecker::on_replay(size_t node, Offset from, const metadata::Replay& replay, const metadata::Image& image,
                                  raft::OffsetAndEpoch last) {
  if (violation_) return;
  const std::string where = "node " + std::to_string(node) + " applying [" + std::to_string(from.value()) + ", " +
                            std::to_string(replay.applied.value()) + ")";
  if (replay.undecodable) {
    return fail("clean replay: " + where + ": offset " + std::to_string(replay.undecodable->offset.value()) +
                " does not decode: " + replay.undecodable->what);
  }
  if (!replay.refused.empty()) {
    return fail("clean replay: " + where + ": offset " + std::to_string(replay.refused[0].offset.value()) +
                " refused: " + replay.refused[0].what);
  }
  ++images_checked_;
  // Image safety: the same committed prefix gives the same image, whoever applied it in which steps.
  auto [it, first] = image_at_.try_emplace(replay.applied.value(), image);
  if (!first && !(it->second == image)) {
    return fail("image safety: " + where + ": its image differs from another node's at the same offset");
  }
  auto snapshot = metadata::decode_snapshot(metadata::encode_snapshot(image, 0));
  if (!snapshot) return fail("snapshot round trip: " + where + ": " + snapshot.error().detail);
  if (!(snapshot->image == image)) return fail("snapshot round trip: " + where + ": the decoded snapshot differs");
  // Decision atomicity: each decision is one raft entry (metadata/entry_codec.h), so every image
  // a node applies ends with a whole decision. Before that, a commit notice could end inside a
  // decision and a crash could commit a decision in part (README.md, "What it found").
  const bool whole_batches = last.epoch.value() < 0 || batch_ends_.contains({last.offset.value(), last.epoch.value()});
  if (!whole_batches) {
    ++images_inside_a_batch_;
    return fail("decision atomicity: " + where + " applied up to " + std::to_string(last.offset.value()) +
                ", inside a decision");
  }
  check_image(node, image, whole_batches);
  check_monotonic(node, image);
  check_history(node, replay.applied, image);
}

void ControllerChecker::check_image(size_t node, const metadata::Image& image, bool whole_batches) {
  const std::string at = "node " + std::to_string(node) + " at " + std::to_string(image.highest_offset().value()) + ": ";
  if (image.topic_names().size() != image.topics().size()) {
    return fail("image invariants: " + at + std::to_string(image.topic_names().size()) + " names for " +
                std::to_string(image.topics().size()) + " topics");
  }
  for (const auto& [id, topic] : image.topics()) {
    if (refused_ids_.contains(id)) return fail("refusals leave none: " + at + "topic id " + str(id) + " of a refused create");
    auto name = image.topic_names().find(topic->name);
    if (topic->id != id || name == image.topic_names().end() || name->second != id) {
      return fail("image invariants: " + at + "topic " + topic->name + " and its id disagree");
    }
    for (size_t p = 0; p < topic->partitions.size(); ++p) {
      const metadata::PartitionRegistration& r = topic->partitions[p];
      const std::string part = topic->name + "-" + std::to_string(p);
      if (r.replicas.empty() || !distinct(r.replicas) || !distinct(r.isr)) {
        return fail("image invariants: " + at + part + " has empty or repeated replicas or ISR");
      }
      for (NodeId i : r.isr) {
        if (!contains(r.replicas, i)) return fail("image invariants: " + at + part + ": ISR member " + str(i) + " not a replica");
      }
      if (r.leader == metadata::kNoLeader) continue;
      if (!contains(r.isr, r.leader)) return fail("image invariants: " + at + part + ": leader " + str(r.leader) + " not in the ISR");
      if (!whole_batches) continue;
      const metadata::BrokerRegistration* b = image.broker(r.leader);
      if (b == nullptr || b->fenced) {
        return fail("image invariants: " + at + part + ": leader " + str(r.leader) +
                    (b == nullptr ? " is not registered" : " is fenced"));
      }
    }
  }
}

void ControllerChecker::check_monotonic(size_t node, const metadata::Image& image) {
  PerNode& n = nodes_[node];
  const std::string at = "monotonic epochs: node " + std::to_string(node) + " at " +
                         std::to_string(image.highest_offset().value()) + ": ";
  for (const auto& [id, topic] : image.topics()) {
    for (size_t p = 0; p < topic->partitions.size(); ++p) {
      const metadata::PartitionRegistration& r = topic->partitions[p];
      auto [it, first] = n.partition_epochs.try_emplace({id, static_cast<int32_t>(p)}, r.leader_epoch, r.partition_epoch);
      if (first) continue;
      if (r.leader_epoch < it->second.first || r.partition_epoch < it->second.second) {
        return fail(at + topic->name + "-" + std::to_string(p) + " epochs went from leader " +
                    std::to_string(it->second.first.value()) + " partition " + std::to_string(it->second.second.value()) +
                    " to leader " + std::to_string(r.leader_epoch.value()) + " partition " +
                    std::to_string(r.partition_epoch.value()));
      }
      it->second = {r.leader_epoch, r.partition_epoch};
    }
  }
  for (const auto& [id, reg] : image.brokers()) {
    auto [it, first] = n.brokers.try_emplace(id, reg.incarnation_id, reg.epoch);
    if (first) continue;
    const bool new_incarnation = it->second.first != reg.incarnation_id;
    if (reg.epoch < it->second.second || (new_incarnation && reg.epoch == it->second.second)) {
      return fail(at + "broker " + str(id) + " epoch went from " + std::to_string(it->second.second.value()) + " to " +
                  std::to_string(reg.epoch.value()) + (new_incarnation ? " with a new incarnation" : ""));
    }
    it->second = {reg.incarnation_id, reg.epoch};
  }
  if (image.producer_ids().next_producer_id < n.next_producer_id) {
    return fail(at + "next producer id went from " + std::to_string(n.next_producer_id) + " to " +
                std::to_string(image.producer_ids().next_producer_id));
  }
  n.next_producer_id = image.producer_ids().next_producer_id;
}

void ControllerChecker::check_history(size_t node, Offset applied, const metadata::Image& image) {
  for (const AckedTopic& t : acked_topics_) {
    if (applied <= t.last || removal_proposed_.contains(t.id)) continue;
    const metadata::TopicImage* topic = image.topic(t.id);
    if (topic == nullptr || topic->name != t.name) {
      return fail("acknowledged history: node " + std::to_string(node) + " applied to " + std::to_string(applied.value()) +
                  " lost topic " + t.name + " (" + str(t.id) + "), acknowledged at offset " + std::to_string(t.last.value()) +
                  " and never deleted");
    }
  }
}

void ControllerChecker::on_batch_boundary(size_t, raft::OffsetAndEpoch last) {
  if (batch_ends_.contains({last.offset.value(), last.epoch.value()})) return;
  cut_batches_.insert({last.offset.value(), last.epoch.value()});
  fail("decision atomicity: the decision ending at " + std::to_string(last.offset.value()) + " (epoch " +
       std::to_string(last.epoch.value()) + ") was committed in part");
}

void ControllerChecker::on_proposed(const std::vector<metadata::Record>& records, raft::OffsetAndEpoch last) {
  batch_ends_.insert({last.offset.value(), last.epoch.value()});
  for (const metadata::Record& r : records) {
    if (const auto* remove = std::get_if<metadata::RemoveTopicRecord>(&r)) removal_proposed_.insert(remove->topic_id);
  }
}

void ControllerChecker::on_refused(const Request& request, const std::vector<Uuid>& drawn,
                                   const std::vector<metadata::Record>& records) {
  if (!records.empty()) {
    fail(std::string("refusals leave none: a refused ") + kind_name(request.kind) + " of " + request.topic + " returned " +
         std::to_string(records.size()) + " records");
  }
  refused_ids_.insert(drawn.begin(), drawn.end());
}

void ControllerChecker::on_acknowledged(size_t node, const Request& request, const Reply& reply, Offset last,
                                        const metadata::Image& image) {
  ++acknowledged_;
  const std::string what = std::string("acknowledged history: node ") + std::to_string(node) + " answered " +
                           kind_name(request.kind) + " " + request.topic + " (batch to " + std::to_string(last.value()) + ") ";
  const metadata::TopicImage* topic = image.topic(reply.topic.topic_id);
  switch (request.kind) {
    case Request::Kind::create_topic: {
      if (topic == nullptr || topic->name != request.topic) return fail(what + "but its image has no such topic");
      for (const AckedTopic& t : acked_topics_) {
        if (t.name == request.topic && t.id != reply.topic.topic_id && !removal_proposed_.contains(t.id)) {
          return fail(what + "with id " + str(reply.topic.topic_id) + ", but the create at " + std::to_string(t.last.value()) +
                      " was acknowledged with " + str(t.id) + " and never deleted");
        }
      }
      acked_topics_.push_back({request.topic, reply.topic.topic_id, last});
      return;
    }
    case Request::Kind::delete_topic:
      if (topic != nullptr) return fail(what + "but its image still has the topic");
      return;
    case Request::Kind::create_partitions:
      if (topic == nullptr || static_cast<int32_t>(topic->partitions.size()) != request.partitions) {
        return fail(what + "but its image has not " + std::to_string(request.partitions) + " partitions");
      }
      return;
    case Request::Kind::alter_config: {
      const metadata::ConfigMap* configs = image.topic_configs(request.topic);
      auto it = configs == nullptr ? metadata::ConfigMap::const_iterator{} : configs->find("retention.ms");
      if (configs == nullptr || it == configs->end() || it->second != request.config_value) {
        return fail(what + "but its image has not retention.ms=" + request.config_value);
      }
      return;
    }
    case Request::Kind::allocate_producer_ids: {
      const metadata::ProducerIdBlock& b = reply.block;
      for (const metadata::ProducerIdBlock& o : blocks_) {
        if (b.first_id < o.first_id + o.size && o.first_id < b.first_id + b.size) {
          return fail(what + "block [" + std::to_string(b.first_id) + ", +" + std::to_string(b.size) +
                      ") overlaps an acknowledged one at " + std::to_string(o.first_id));
        }
      }
      if (image.producer_ids().next_producer_id < b.first_id + b.size) return fail(what + "past the image's next id");
      blocks_.push_back(b);
      return;
    }
    case Request::Kind::register_broker: {
      const metadata::BrokerRegistration* b = image.broker(request.broker);
      if (b == nullptr || b->incarnation_id != request.incarnation || b->epoch != reply.epoch) {
        return fail(what + "broker " + str(request.broker) + " epoch " + std::to_string(reply.epoch.value()) +
                    " but its image has another registration");
      }
      return;
    }
    case Request::Kind::heartbeat:
      return;
  }
}

}  // namespace runnel::controller_sim
