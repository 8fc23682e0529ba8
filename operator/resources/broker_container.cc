#include "operator/resources/broker_container.h"

namespace runnel::resources {
namespace {

Json field_env(const char* name, const std::string& path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}};
}

Json http_probe(const char* path, int period_s, int failure_threshold, int initial_delay_s) {
  return {{"httpGet", {{"path", path}, {"port", "admin"}, {"scheme", "HTTP"}}},
          {"initialDelaySeconds", initial_delay_s},
          {"periodSeconds", period_s},
          {"timeoutSeconds", 3},
          {"failureThreshold", failure_threshold}};
}

}  // namespace

// The broker binds its pod IP rather than every interface: pods that share a network namespace
// (the test node agent, hostNetwork) would otherwise collide on 9092/9644. The cost is that
// `kubectl port-forward`, which connects over the pod's loopback, does not reach the broker.
Json broker_args() {
  const std::string kafka = std::to_string(kKafkaPort);
  const std::string admin = std::to_string(kAdminPort);
  return Json::array({"--config", std::string(kConfigDir) + "/" + kConfigFile,
                      "--override", "node.id=$(RUNNEL_NODE_ID)",
                      // On the command line rather than only in server.properties: the data
                      // directory is the pod's volume, never a user choice, and a kubelet-less
                      // runtime (the test node agent) relocates mounts only in args and env.
                      "--override", std::string("log.dirs=") + kDataDir,
                      "--override", "listeners=PLAINTEXT://$(POD_IP):" + kafka,
                      "--override", "advertised.listeners=PLAINTEXT://$(POD_IP):" + kafka,
                      "--override", "runnel.admin.listeners=http://$(POD_IP):" + admin});
}

Json build_broker_container(const api::RunnelCluster& c) {
  Json container = {
      {"name", kContainerName},
      {"image", c.spec.image},
      {"command", Json::array({"runnel-broker"})},
      {"args", broker_args()},
      {"env", Json::array({field_env("RUNNEL_NODE_ID",
                                     std::string("metadata.labels['") + kPodIndexLabel + "']"),
                           field_env("POD_IP", "status.podIP"),
                           field_env("POD_NAME", "metadata.name"),
                           field_env("POD_NAMESPACE", "metadata.namespace")})},
      {"ports", Json::array({{{"name", "kafka"}, {"containerPort", kKafkaPort}, {"protocol", "TCP"}},
                             {{"name", "admin"}, {"containerPort", kAdminPort}, {"protocol", "TCP"}}})},
      // Readiness gates the bootstrap Service and the rolling restart; liveness restarts a broker
      // whose ring threads stopped (the admin API's /healthz heartbeat check).
      {"readinessProbe", http_probe("/readyz", 5, 3, 2)},
      {"livenessProbe", http_probe("/healthz", 10, 6, 15)},
      {"volumeMounts", Json::array({{{"name", "config"}, {"mountPath", kConfigDir}, {"readOnly", true}},
                                    {{"name", "data"}, {"mountPath", kDataMountPath}}})},
      {"securityContext",
       {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", Json::array({"ALL"})}}}}},
  };
  if (!c.spec.image_pull_policy.empty()) container["imagePullPolicy"] = c.spec.image_pull_policy;
  if (c.spec.resources.is_object() && !c.spec.resources.empty()) {
    container["resources"] = c.spec.resources;
  }
  return container;
}

}  // namespace runnel::resources
