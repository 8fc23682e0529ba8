#include "operator/resources/statefulset.h"

#include <gtest/gtest.h>

#include "operator/resources/broker_container.h"
#include "tests/unit/operator_resources/fixture.h"

namespace runnel::resources {
namespace {

using testing::cluster;

const Json& container(const Json& sts) { return sts["spec"]["template"]["spec"]["containers"][0]; }

Json env_named(const Json& c, const std::string& name) {
  for (const auto& e : c["env"]) {
    if (e["name"] == name) return e;
  }
  return Json();
}

TEST(StatefulSet, Shape) {
  Json sts = build_statefulset(cluster(5), "abc");
  EXPECT_EQ(sts["apiVersion"], "apps/v1");
  EXPECT_EQ(sts["kind"], "StatefulSet");
  EXPECT_EQ(sts["metadata"]["name"], "demo");
  EXPECT_EQ(sts["metadata"]["ownerReferences"][0]["uid"], "uid-123");
  const Json& spec = sts["spec"];
  EXPECT_EQ(spec["replicas"], 5);
  EXPECT_EQ(spec["serviceName"], "demo-brokers");
  EXPECT_EQ(spec["podManagementPolicy"], "Parallel");
  EXPECT_EQ(spec["updateStrategy"]["type"], "OnDelete");
  EXPECT_EQ(spec["selector"]["matchLabels"], selector_labels(cluster()));
  // The template's labels must satisfy the selector.
  for (const auto& [k, v] : spec["selector"]["matchLabels"].items()) {
    EXPECT_EQ(spec["template"]["metadata"]["labels"][k], v) << k;
  }
  EXPECT_EQ(spec["template"]["metadata"]["annotations"]["runnel.dev/config-hash"], "abc");
}

TEST(StatefulSet, ContainerArgsEnvAndPorts) {
  Json c = container(build_statefulset(cluster(), "abc"));
  EXPECT_EQ(c["name"], "broker");
  EXPECT_EQ(c["image"], "runnel:dev");
  EXPECT_EQ(c["command"], Json::array({"runnel-broker"}));
  EXPECT_EQ(c["args"], Json::array({"--config", "/etc/runnel/server.properties",
                                    "--override", "node.id=$(RUNNEL_NODE_ID)",
                                    "--override", "log.dirs=/var/lib/runnel/data",
                                    "--override", "listeners=PLAINTEXT://$(POD_IP):9092",
                                    "--override", "advertised.listeners=PLAINTEXT://$(POD_IP):9092",
                                    "--override", "runnel.admin.listeners=http://$(POD_IP):9644"}));
  EXPECT_EQ(env_named(c, "RUNNEL_NODE_ID")["valueFrom"]["fieldRef"]["fieldPath"],
            "metadata.labels['apps.kubernetes.io/pod-index']");
  EXPECT_EQ(env_named(c, "POD_IP")["valueFrom"]["fieldRef"]["fieldPath"], "status.podIP");
  EXPECT_EQ(env_named(c, "POD_NAME")["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name");
  EXPECT_EQ(env_named(c, "POD_NAMESPACE")["valueFrom"]["fieldRef"]["fieldPath"], "metadata.namespace");
  // $(VAR) in args only expands for variables defined earlier in env, which all of these are.
  EXPECT_EQ(c["ports"][0]["containerPort"], 9092);
  EXPECT_EQ(c["ports"][1]["containerPort"], 9644);
  EXPECT_FALSE(c.contains("imagePullPolicy"));
  EXPECT_FALSE(c.contains("resources"));
}

TEST(StatefulSet, Probes) {
  Json c = container(build_statefulset(cluster(), "abc"));
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"], "admin");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"], "admin");
  EXPECT_GT(c["livenessProbe"]["periodSeconds"].get<int>(), 0);
  EXPECT_GT(c["livenessProbe"]["initialDelaySeconds"].get<int>(),
            c["readinessProbe"]["initialDelaySeconds"].get<int>());
}

TEST(StatefulSet, VolumesAndClaimTemplate) {
  auto cl = cluster();
  cl.spec.storage.size = "2Gi";
  cl.spec.storage.storage_class_name = "fast";
  Json sts = build_statefulset(cl, "abc");
  Json c = container(sts);
  EXPECT_EQ(c["volumeMounts"][0]["name"], "config");
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"], "/etc/runnel");
  EXPECT_EQ(c["volumeMounts"][1]["name"], "data");
  EXPECT_EQ(c["volumeMounts"][1]["mountPath"], "/var/lib/runnel");
  const Json& vol = sts["spec"]["template"]["spec"]["volumes"][0];
  EXPECT_EQ(vol["configMap"]["name"], "demo-config");
  const Json& pvc = sts["spec"]["volumeClaimTemplates"][0];
  EXPECT_EQ(pvc["metadata"]["name"], "data");
  EXPECT_EQ(pvc["spec"]["accessModes"], Json::array({"ReadWriteOnce"}));
  EXPECT_EQ(pvc["spec"]["resources"]["requests"]["storage"], "2Gi");
  EXPECT_EQ(pvc["spec"]["storageClassName"], "fast");
  EXPECT_FALSE(build_statefulset(cluster(), "x")["spec"]["volumeClaimTemplates"][0]["spec"].contains(
      "storageClassName"));
}

TEST(StatefulSet, PodSecurityAndDefaults) {
  const Json pod = build_statefulset(cluster(), "abc")["spec"]["template"]["spec"];
  EXPECT_EQ(pod["securityContext"]["runAsUser"], 10001);
  EXPECT_EQ(pod["securityContext"]["fsGroup"], 10001);
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["terminationGracePeriodSeconds"], 60);
  const Json& term = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0];
  EXPECT_EQ(term["podAffinityTerm"]["topologyKey"], "kubernetes.io/hostname");
  EXPECT_EQ(term["podAffinityTerm"]["labelSelector"]["matchLabels"]["app.kubernetes.io/instance"], "demo");
  EXPECT_FALSE(pod.contains("tolerations"));
  EXPECT_FALSE(pod.contains("nodeSelector"));
}

TEST(StatefulSet, OverridesMerged) {
  auto cl = cluster();
  cl.spec.image_pull_policy = "Never";
  cl.spec.resources = {{"limits", {{"memory", "1Gi"}}}};
  cl.spec.termination_grace_period_seconds = 5;
  cl.spec.pod.annotations = {{"prometheus.io/scrape", "true"}, {"runnel.dev/config-hash", "evil"}};
  cl.spec.pod.labels = {{"team", "a"}, {"app.kubernetes.io/instance", "evil"}};
  cl.spec.pod.node_selector = {{"disk", "ssd"}};
  cl.spec.pod.tolerations = Json::array({{{"key", "dedicated"}, {"operator", "Exists"}}});
  cl.spec.pod.affinity = {{"nodeAffinity", {{"x", 1}}}};
  cl.spec.pod.priority_class_name = "high";
  Json sts = build_statefulset(cl, "abc");
  const Json& meta = sts["spec"]["template"]["metadata"];
  EXPECT_EQ(meta["annotations"]["prometheus.io/scrape"], "true");
  EXPECT_EQ(meta["annotations"]["runnel.dev/config-hash"], "abc");  // not overridable
  EXPECT_EQ(meta["labels"]["team"], "a");
  EXPECT_EQ(meta["labels"]["app.kubernetes.io/instance"], "demo");  // selector labels win
  const Json& pod = sts["spec"]["template"]["spec"];
  EXPECT_EQ(pod["nodeSelector"]["disk"], "ssd");
  EXPECT_EQ(pod["tolerations"][0]["key"], "dedicated");
  EXPECT_EQ(pod["affinity"], cl.spec.pod.affinity);
  EXPECT_EQ(pod["priorityClassName"], "high");
  EXPECT_EQ(pod["terminationGracePeriodSeconds"], 5);
  EXPECT_EQ(container(sts)["imagePullPolicy"], "Never");
  EXPECT_EQ(container(sts)["resources"]["limits"]["memory"], "1Gi");
}

}  // namespace
}  // namespace runnel::resources
