#include "operator/controllers/topic_cluster_link.h"

#include <algorithm>

namespace runnel::controllers {

std::vector<std::string> bootstrap_addresses(const kube::Json& cluster) {
  std::vector<std::string> ready, others;
  const auto status = cluster.find("status");
  if (status == cluster.end() || !status->is_object()) return {};
  if (auto brokers = status->find("brokers"); brokers != status->end() && brokers->is_array()) {
    for (const auto& b : *brokers) {
      if (!b.is_object()) continue;
      auto address = b.find("address");
      if (address == b.end() || !address->is_string() || address->get<std::string>().empty()) continue;
      const bool is_ready = b.value("ready", false);
      (is_ready ? ready : others).push_back(address->get<std::string>());
    }
  }
  std::vector<std::string> out = std::move(ready);
  out.insert(out.end(), others.begin(), others.end());
  if (auto b = status->find("bootstrap"); b != status->end() && b->is_string() && !b->get<std::string>().empty()) {
    if (std::find(out.begin(), out.end(), b->get<std::string>()) == out.end()) out.push_back(b->get<std::string>());
  }
  return out;
}

AdminFactory make_admin_factory(std::chrono::milliseconds timeout) {
  return [timeout](const kube::Json& cluster) -> operator_admin::Outcome<AdminClientPtr> {
    auto addresses = bootstrap_addresses(cluster);
    if (addresses.empty()) {
      return operator_admin::AdminError::transport("the cluster reports no broker address yet");
    }
    return operator_admin::connect(std::move(addresses), timeout);
  };
}

}  // namespace runnel::controllers
