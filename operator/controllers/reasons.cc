#include "operator/controllers/reasons.h"

#include <array>

namespace runnel::controllers {
namespace {

// Indexed by the enum's value, so each table lists the names in declaration order.
constexpr std::array<std::string_view, 16> kClusterReasons = {
    "AllBrokersReady", "ApplyFailed",     "InvalidConfig", "RollingRestart",
    "Updating",        "BrokersNotReady", "Scaling",       "BrokersStarting",
    "Stable",          "AsExpected",      "BrokerFailing", "BrokerNotReady",
    "InvalidSpec",     "RollingRestartStarted", "PodRestarted", "RollingRestartFinished"};
static_assert(kClusterReasons.size() == static_cast<size_t>(ClusterReason::kRollingRestartFinished) + 1);

constexpr std::array<std::string_view, 15> kTopicReasons = {
    "TopicReady",   "InvalidSpec",      "ClusterNotFound",     "BrokerUnreachable",
    "PartitionDecreaseNotSupported",    "CreateFailed",        "PartitionsFailed",
    "ConfigFailed", "TopicError",       "DeleteFailed",        "Created",
    "PartitionsIncreased", "ConfigUpdated", "Deleted",         "FinalizerReleased"};
static_assert(kTopicReasons.size() == static_cast<size_t>(TopicReason::kFinalizerReleased) + 1);

}  // namespace

std::string_view to_string(ClusterReason reason) { return kClusterReasons.at(static_cast<size_t>(reason)); }

std::string_view to_string(TopicReason reason) { return kTopicReasons.at(static_cast<size_t>(reason)); }

}  // namespace runnel::controllers
