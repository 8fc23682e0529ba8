#pragma once

// Images of small clusters for the controller-decision tests, and committing decisions' records.

#include <string>
#include <vector>

#include "broker/metadata/image_builder.h"
#include "test_records.h"

namespace runnel::metadata::test {

// Appends `records` after the image's offset and applies them, as a commit would.
inline Image commit(const Image& image, const std::vector<Record>& records) {
  if (records.empty()) return image;
  Offset last(image.highest_offset().value() + static_cast<int64_t>(records.size()));
  auto next = apply_all(image, records, last);
  RUNNEL_ASSERT(next.has_value(), "decision's records do not apply: %s %s", name(next.error().code),
                next.error().detail.c_str());
  return std::move(next).value();
}

// Brokers 0..n-1, unfenced; with racks > 0, broker i in rack "rack-(i % racks)".
inline Image cluster(int32_t brokers, int32_t racks = 0) {
  std::vector<Record> records;
  for (int32_t i = 0; i < brokers; ++i) {
    records.push_back(broker(i, racks > 0 ? std::optional<std::string>("rack-" + std::to_string(i % racks)) : std::nullopt));
  }
  return commit(Image{}, records);
}

// Topic ids 1, 2, 3, ... for create_topics.
struct CountingIds {
  uint64_t next = 1;
  Uuid operator()() { return uuid_of(next++); }
};

}  // namespace runnel::metadata::test
