#include "operator/app/controllers.h"

#include <chrono>
#include <memory>

#include "operator/controllers/cluster_controller.h"
#include "operator/controllers/topic_cluster_link.h"
#include "operator/controllers/topic_controller.h"

namespace runnel::operator_app {

void register_controllers(kube::Manager& manager, kube::Api& api, kube::EventRecorder& events,
                          const ControllerContext& context) {
  namespace types = kube::types;
  const kube::Store& clusters = manager.store(types::kRunnelCluster);
  const kube::Store& topics = manager.store(types::kRunnelTopic);
  const kube::Store& statefulsets = manager.store(types::kStatefulSet);
  const kube::Store& pods = manager.store(types::kPod);

  controllers::ClusterControllerOptions cluster_options;
  controllers::TopicControllerOptions topic_options;
  if (context.resync.count() > 0) cluster_options.resync = topic_options.resync = context.resync;
  manager.add(std::make_unique<controllers::ClusterController>(api, clusters, statefulsets, pods,
                                                               events, cluster_options));
  // The admin client blocks a worker thread for at most this long per broker it tries.
  manager.add(std::make_unique<controllers::TopicController>(
      api, topics, clusters, controllers::make_admin_factory(std::chrono::seconds(5)), events,
      topic_options));
}

}  // namespace runnel::operator_app
