#include "operator/resources/services.h"

namespace runnel::resources {
namespace {

Json port(const char* name, int number) {
  return {{"name", name}, {"port", number}, {"targetPort", number}, {"protocol", "TCP"}};
}

}  // namespace

Json build_headless_service(const api::RunnelCluster& c) {
  Json svc = child_object("v1", "Service", headless_service_name(c.metadata.name), c);
  svc["spec"] = {{"clusterIP", "None"},
                 {"publishNotReadyAddresses", true},
                 {"selector", selector_labels(c)},
                 {"ports", Json::array({port("kafka", kKafkaPort), port("admin", kAdminPort)})}};
  return svc;
}

Json build_bootstrap_service(const api::RunnelCluster& c) {
  Json svc = child_object("v1", "Service", bootstrap_service_name(c.metadata.name), c);
  svc["spec"] = {{"type", "ClusterIP"},
                 {"selector", selector_labels(c)},
                 {"ports", Json::array({port("kafka", kKafkaPort)})}};
  return svc;
}

}  // namespace runnel::resources
