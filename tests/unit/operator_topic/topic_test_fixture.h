#pragma once
// Shared fixture of the topic controller tests: the fakes of tests/unit/operator_fakes (map-backed
// stores, a RecordingApi that applies patches to the topics store, in-memory brokers, an event
// recorder) wired into one TopicController.

#include <gtest/gtest.h>

#include "operator/controllers/topic_config_plan.h"
#include "operator/controllers/topic_controller.h"
#include "tests/unit/operator_fakes/fake_brokers.h"
#include "tests/unit/operator_fakes/fake_event_recorder.h"
#include "tests/unit/operator_fakes/map_store.h"
#include "tests/unit/operator_fakes/recording_api.h"
#include "tests/unit/operator_topic/topic_objects.h"

namespace runnel::controllers::testing {

using operator_admin::AdminError;
using operator_fakes::FakeBrokers;
using operator_fakes::MapStore;
using operator_fakes::RecordingApi;
using operator_fakes::fake_admin_factory;

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
  RecordingApi api{&topics};
  FakeBrokers brokers;
  operator_fakes::FakeEventRecorder events;
  TopicController controller{api, topics, clusters, fake_admin_factory(brokers), events};
};

}  // namespace runnel::controllers::testing
