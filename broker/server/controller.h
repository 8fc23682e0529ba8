#pragma once

#include <optional>
#include <string>
#include <vector>

#include "broker/cluster/errc.h"
#include "broker/cluster/metadata_image.h"
#include "broker/config/config_def.h"
#include "broker/io/async_mutex.h"
#include "broker/io/task.h"
#include "broker/metadata/ids.h"
#include "broker/metadata/producer_id_decisions.h"
#include "broker/model/named_type.h"
#include "broker/model/result.h"

namespace runnel::server {

class Broker;
class QuorumController;

// The metadata authority of the cluster; lives on shard 0 and is called there (other cores use
// cross-ring calls). Every change builds a new immutable image, persists it, and publishes it
// to every shard before the caller hears "done", so a client that created a topic can produce
// to it right away on any connection. Changes are serialised by an async mutex.
//
// A refused change is a `cluster::Error` (code and Kafka's message text); the handlers pick
// the Kafka error code with `to_kafka(cluster::Errc)` (cluster_errors.h).
class Controller {
 public:
  struct NewTopic {
    std::string name;
    int32_t partitions = -1;          // -1: num.partitions
    int16_t replication_factor = -1;  // -1: default.replication.factor
    std::vector<std::vector<int32_t>> assignment;  // explicit replica assignment, if any
    config::RawConfigs configs;
  };
  // The topic a change applied to (or would apply to, when validating only).
  struct TopicChange {
    Uuid topic_id;
    int32_t partitions = 0;
    int16_t replication_factor = 0;
  };
  using TopicResult = Result<TopicChange, cluster::Error>;

  Controller(Broker& broker, cluster::ImagePtr image, int64_t producer_id_block_end);

  cluster::ImagePtr image() const { return image_; }
  // Adopts an image decided elsewhere (the metadata quorum, server/quorum_controller.h) on every
  // shard in turn, without persisting it here. Unlike commit(), it does not wait for the
  // partitions the image adds or deletes on this broker to be opened or removed (Shard::
  // adopt_image): as Kafka's, the quorum's controller answers once the change is committed.
  io::Task<void> install(cluster::ImagePtr next);
  // The metadata quorum's controller, when this node runs one: topic changes and producer ids
  // then go through it (or, on another node, to the active controller).
  void set_quorum(QuorumController* quorum) { quorum_ = quorum; }
  void set_producer_id_block_end(int64_t end) { producer_id_block_end_ = end; }

  io::Task<std::vector<TopicResult>> create_topics(std::vector<NewTopic> topics, bool validate_only);
  // By name (or by id when `name` is empty and `id` is set).
  io::Task<std::vector<TopicResult>> delete_topics(std::vector<std::pair<std::string, Uuid>> topics);
  // `assignment`: replicas of each new partition, or nullopt to place them like partition 0.
  io::Task<TopicResult> create_partitions(std::string topic, int32_t new_total,
                                          std::optional<std::vector<std::vector<int32_t>>> assignment,
                                          bool validate_only);
  // One config operation, numbered as Kafka's AlterConfigOp.OpType.
  struct ConfigChange {
    enum class Op : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };
    std::string name;
    Op op = Op::set;
    std::string value;
  };
  // incremental=false (legacy AlterConfigs): the `set` changes become the topic's whole set of
  // overrides. incremental=true: the changes patch the current overrides; append/subtract work
  // on LIST configs, starting from the topic config's default when it is not overridden.
  io::Task<TopicResult> alter_topic_configs(std::string topic, std::vector<ConfigChange> changes, bool incremental,
                                            bool validate_only);
  io::Task<Result<ProducerId, cluster::Errc>> allocate_producer_id();
  // A broker's dynamic configs (`broker` a node id in decimal) or the cluster-wide default
  // (""), recorded in the metadata log: quorum nodes only (controller_quorum.cc); a single node
  // answers INVALID_REQUEST as before.
  io::Task<TopicResult> alter_broker_configs(std::string broker, std::vector<ConfigChange> changes, bool incremental,
                                             bool validate_only);

 private:
  // controller_quorum.cc: the same operations on a node of a metadata quorum.
  io::Task<std::vector<TopicResult>> quorum_create_topics(std::vector<NewTopic> topics, bool validate_only);
  io::Task<std::vector<TopicResult>> forward_create_topics(const std::vector<NewTopic>& topics, bool validate_only);
  io::Task<std::vector<TopicResult>> quorum_delete_topics(std::vector<std::pair<std::string, Uuid>> topics);
  io::Task<TopicResult> quorum_create_partitions(std::string topic, int32_t new_total,
                                                 std::optional<std::vector<std::vector<int32_t>>> assignment,
                                                 bool validate_only);
  io::Task<TopicResult> quorum_alter_topic_configs(std::string topic, std::vector<ConfigChange> changes,
                                                   bool incremental, bool validate_only);
  io::Task<Result<ProducerId, cluster::Errc>> quorum_allocate_producer_id();
  // A block from the active controller on another node (AllocateProducerIds, as Kafka's brokers
  // ask); nullopt when there is none to ask or it refused.
  io::Task<std::optional<metadata::ProducerIdBlock>> request_producer_ids(NodeId self, metadata::BrokerEpoch epoch);

  TopicResult check_new_topic(const cluster::MetadataImage& image, NewTopic& t) const;
  Result<void, cluster::Error> check_assignment(const cluster::MetadataImage& image,
                                               const std::vector<int32_t>& replicas,
                                               std::optional<size_t> replication_factor) const;
  // Installs image_ on every shard, one after another; `wait`: until each has opened and
  // removed its partitions (Shard::install_image), else only adopted (Shard::adopt_image).
  io::Task<void> install_everywhere(bool wait);
  // Persists `next` and installs it on every shard.
  io::Task<Result<void, cluster::Errc>> commit(std::shared_ptr<cluster::MetadataImage> next);

  Broker& broker_;
  QuorumController* quorum_ = nullptr;
  cluster::ImagePtr image_;
  io::AsyncMutex mutex_;
  int64_t next_producer_id_;
  int64_t producer_id_block_end_;
};

}  // namespace runnel::server
