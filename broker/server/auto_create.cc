#include "broker/server/auto_create.h"

#include "broker/server/broker.h"
#include "broker/server/controller.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server {

io::Task<void> auto_create_topics(Shard& shard, std::vector<std::string> names) {
  Broker& broker = shard.broker();
  if (!broker.config().auto_create_topics_enable || names.empty()) co_return;
  std::vector<Controller::NewTopic> topics;
  for (auto& n : names) {
    Controller::NewTopic t;
    t.name = std::move(n);
    topics.push_back(std::move(t));
  }
  co_await Router(shard).on_controller([&topics](Controller& controller) -> io::Task<std::vector<Controller::TopicResult>> {
    co_return co_await controller.create_topics(std::move(topics), false);
  });
}

}  // namespace runnel::server
