#pragma once
// Shared fixture of the topic controller tests: map-backed stores, the recording FakeApi, the
// in-memory FakeBrokers and a FakeEventRecorder wired into one TopicController.

#include <gtest/gtest.h>

#include "operator/controllers/topic_config_plan.h"
#include "operator/controllers/topic_controller.h"
#include "operator/kube/event_recorder.h"
#include "tests/unit/operator_topic/fake_admin.h"
#include "tests/unit/operator_topic/fake_kube.h"

namespace runnel::controllers::testing {

class TopicControllerTest : public ::testing::Test {
 protected:
  TopicControllerTest() { clusters.put(cluster_object("demo", {{"10.0.0.1:9092", true}})); }

  kube::ReconcileResult run(const std::string& name = "orders") { return controller.reconcile({"ns", name}); }

  const Json& stored(const std::string& name = "orders") {
    Json* obj = topics.find("ns", name);
    static const Json kMissing;
    return obj == nullptr ? kMissing : *obj;
  }
  Json ready(const std::string& name = "orders") {
    const Json& obj = stored(name);
    if (!obj.contains("status")) return nullptr;
    for (const auto& c : obj["status"]["conditions"]) {
      if (c["type"] == "Ready") return c;
    }
    return nullptr;
  }
  std::vector<std::string> finalizers(const std::string& name = "orders") {
    const Json& meta = stored(name)["metadata"];
    return meta.contains("finalizers") ? meta["finalizers"].get<std::vector<std::string>>()
                                       : std::vector<std::string>{};
  }
  std::string managed_keys(const std::string& name = "orders") {
    const Json& meta = stored(name)["metadata"];
    if (!meta.contains("annotations")) return "<none>";
    return meta["annotations"].value(kManagedConfigKeysAnnotation, "<none>");
  }
  void mark_deleting(const std::string& name = "orders") {
    (*topics.find("ns", name))["metadata"]["deletionTimestamp"] = "2026-11-25T11:00:00Z";
  }
  void set_spec(const std::string& key, Json value, const std::string& name = "orders") {
    Json& obj = *topics.find("ns", name);
    obj["spec"][key] = std::move(value);
    obj["metadata"]["generation"] = obj["metadata"].value("generation", 1) + 1;
  }

  MapStore topics;
  MapStore clusters;
  FakeApi api{&topics};
  FakeBrokers brokers;
  kube::FakeEventRecorder events;
  TopicController controller{api, topics, clusters, fake_admin_factory(brokers), events};
};

}  // namespace runnel::controllers::testing
