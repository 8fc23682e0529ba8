#pragma once

// Applies metadata records to an image: Kafka's MetadataDelta. A builder starts from a base
// image, copies a part (brokers, topic map, one topic, configs, ...) the first time a record
// changes it and mutates the copy in place for the rest of the batch, then `build()` yields the
// new image, sharing every untouched part with the base. So a batch of N records over T topics
// costs O(N + T) pointer copies, not O(N x T); apply whole committed batches, not one record
// at a time.
//
// A record that breaks a rule (apply_error.h) is refused before anything of it is applied, so
// the builder still holds the records before it.

#include <memory>
#include <map>
#include <span>

#include "broker/metadata/apply_error.h"
#include "broker/metadata/image.h"
#include "broker/model/result.h"

namespace runnel::metadata {

class ImageBuilder {
 public:
  explicit ImageBuilder(const Image& base);

  // The record at log offset `offset` (offsets strictly increase across calls and images).
  Result<void, ApplyError> apply(const Record& record, Offset offset);
  // A snapshot's records carry no offsets of their own: apply them, then set the snapshot's.
  Result<void, ApplyError> apply(const Record& record);
  void set_highest_offset(Offset offset);

  // The image so far. The builder may go on applying after it; its next writes copy again, so
  // the image returned stays as it is.
  Image build();

 private:
  Result<void, ApplyError> apply_one(const RegisterBrokerRecord& r);
  Result<void, ApplyError> apply_one(const UnregisterBrokerRecord& r);
  Result<void, ApplyError> apply_one(const BrokerRegistrationChangeRecord& r);
  Result<void, ApplyError> apply_one(const TopicRecord& r);
  Result<void, ApplyError> apply_one(const PartitionRecord& r);
  Result<void, ApplyError> apply_one(const PartitionChangeRecord& r);
  Result<void, ApplyError> apply_one(const RemoveTopicRecord& r);
  Result<void, ApplyError> apply_one(const ConfigRecord& r);
  Result<void, ApplyError> apply_one(const ProducerIdsRecord& r);
  Result<void, ApplyError> apply_one(const FeatureLevelRecord& r);
  Result<void, ApplyError> apply_one(const NoOpRecord&) { return {}; }

  // Copy-on-first-write accessors.
  BrokerMap& brokers();
  TopicMap& topics();
  TopicNameMap& names();
  ConfigsImage& configs();
  FeatureMap& features();
  TopicImage& topic(const Uuid& id);  // the topic must exist

  Image image_;
  // The parts of image_ this builder copied and may mutate (null: still shared with the base).
  std::shared_ptr<BrokerMap> brokers_;
  std::shared_ptr<TopicMap> topics_;
  std::shared_ptr<TopicNameMap> names_;
  std::shared_ptr<ConfigsImage> configs_;
  std::shared_ptr<FeatureMap> features_;
  std::map<Uuid, std::shared_ptr<TopicImage>> owned_topics_;
};

// One record onto an image. Convenient for tests and single changes; it copies the top-level
// maps, so use ImageBuilder for batches.
Result<Image, ApplyError> apply(const Image& image, const Record& record, Offset offset);
// A batch whose last record sits at `last_offset`.
Result<Image, ApplyError> apply_all(const Image& image, std::span<const Record> records, Offset last_offset);

// The invariants of a partition registration: replicas non-empty and distinct, ISR a subset of
// the replicas without repeats, leader in the ISR or none. The text says what broke, or is
// empty. The controller asserts it before it appends; the builder refuses records that break it.
std::string check_partition(const PartitionRegistration& p);

}  // namespace runnel::metadata
