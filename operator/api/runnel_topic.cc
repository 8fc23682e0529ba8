#include "operator/api/runnel_topic.h"

namespace runnel::api {
namespace {

Json field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? Json() : *it;
}

}  // namespace

Json to_json(const RunnelTopicSpec& spec) {
  Json j = {{"clusterRef", spec.cluster_ref},
            {"partitions", spec.partitions},
            {"replicationFactor", spec.replication_factor},
            {"config", to_json(spec.config)}};
  if (spec.topic_name) j["topicName"] = *spec.topic_name;
  return j;
}

Json to_json(const RunnelTopicStatus& s) {
  Json j = {{"conditions", conditions_to_json(s.conditions)},
            {"observedGeneration", s.observed_generation},
            {"partitions", s.partitions},
            {"config", to_json(s.config)}};
  if (!s.topic_id.empty()) j["topicId"] = s.topic_id;
  return j;
}

RunnelTopicStatus topic_status_from_json(const Json& j) {
  RunnelTopicStatus s;
  if (!j.is_object()) return s;
  s.conditions = conditions_from_json(field(j, "conditions"));
  s.observed_generation = j.value("observedGeneration", int64_t{0});
  s.topic_id = j.value("topicId", "");
  s.partitions = j.value("partitions", 0);
  s.config = string_map_from_json(field(j, "config"));
  return s;
}

Parsed<RunnelTopic> parse_topic(const Json& object) {
  if (!object.is_object()) return Unexpected("RunnelTopic is not an object");
  try {
    RunnelTopic t;
    t.metadata = meta_from_json(field(object, "metadata"));
    Json s = field(object, "spec");
    if (!s.is_object()) return Unexpected("spec is missing");
    t.spec.cluster_ref = s.value("clusterRef", "");
    if (t.spec.cluster_ref.empty()) return Unexpected("spec.clusterRef is required");
    if (auto n = s.find("topicName"); n != s.end() && n->is_string() && !n->get<std::string>().empty()) {
      t.spec.topic_name = n->get<std::string>();
    }
    t.spec.partitions = s.value("partitions", 1);
    t.spec.replication_factor = s.value("replicationFactor", 1);
    if (t.spec.partitions < 1) return Unexpected("spec.partitions must be at least 1");
    if (t.spec.replication_factor < 1) return Unexpected("spec.replicationFactor must be at least 1");
    t.spec.config = string_map_from_json(field(s, "config"));
    t.status = topic_status_from_json(field(object, "status"));
    return t;
  } catch (const Json::exception& e) {
    return Unexpected(std::string("malformed RunnelTopic: ") + e.what());
  }
}

Json to_json(const RunnelTopic& t) {
  return {{"apiVersion", kApiVersion},
          {"kind", kTopicKind},
          {"metadata", to_json(t.metadata)},
          {"spec", to_json(t.spec)},
          {"status", to_json(t.status)}};
}

}  // namespace runnel::api
