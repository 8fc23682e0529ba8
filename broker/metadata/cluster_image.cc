#include "broker/metadata/cluster_image.h"

#include "broker/metadata/layered_config.h"

namespace runnel::metadata {

namespace {

const Endpoint* client_endpoint(const BrokerRegistration& b, const std::string& listener) {
  for (const Endpoint& e : b.listeners) {
    if (listener.empty() || e.name == listener) return &e;
  }
  return nullptr;
}

bool is_internal(const std::string& name) { return name == "__consumer_offsets" || name == "__transaction_state"; }

}  // namespace

cluster::MetadataImage to_cluster_image(const Image& image, const config::BrokerConfig& config,
                                        const ClusterView& view) {
  cluster::MetadataImage out;
  config::BrokerConfig layered = with_dynamic_configs(image, config);
  out.cluster_id = view.cluster_id;
  out.controller_id = view.controller_id;
  // The image changes exactly when its offset moves; +1 keeps the empty image at version 0.
  out.version = image.highest_offset().value() + 1;
  for (const auto& [id, b] : image.brokers()) {
    if (b.fenced) continue;
    const Endpoint* e = client_endpoint(b, view.listener_name);
    if (e == nullptr) continue;  // registered without the client listener: unreachable to clients
    out.brokers.push_back(cluster::BrokerInfo{id, e->host, e->port, b.rack});
  }
  for (const auto& [id, t] : image.topics()) {
    auto info = std::make_shared<cluster::TopicInfo>();
    info->name = t->name;
    info->id = id;
    info->internal = is_internal(t->name);
    for (size_t p = 0; p < t->partitions.size(); ++p) {
      const PartitionRegistration& r = t->partitions[p];
      info->partitions.push_back(
          cluster::PartitionInfo{static_cast<int32_t>(p), r.leader, r.leader_epoch, r.replicas, r.isr});
    }
    if (const ConfigMap* configs = image.topic_configs(t->name)) {
      info->overrides = config::RawConfigs(configs->begin(), configs->end());
    }
    // Overrides were validated by the controller against the same definitions; a value this
    // broker's version cannot parse leaves the defaults, as a topic config Kafka does not know.
    if (auto effective = config::topic_config_for(layered, info->overrides); effective.has_value()) {
      info->effective = effective.value();
    }
    out.name_by_id[id.to_base64()] = t->name;
    out.topics.emplace(t->name, std::move(info));
  }
  return out;
}

}  // namespace runnel::metadata
