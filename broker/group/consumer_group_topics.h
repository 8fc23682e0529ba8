#pragma once

// The topics a consumer group can subscribe to, as the coordinator sees them: a snapshot of the
// cluster metadata (name, id, partition count) handed in with each request, so the group logic
// stays free of the metadata store. `version` changes whenever the topic set changes; groups use
// it to know when to re-resolve regular expressions and re-check their subscribed metadata.

#include <cstdint>
#include <map>
#include <string>

#include "broker/model/uuid.h"

namespace runnel::group {

struct TopicMeta {
  std::string name;
  Uuid id;
  int32_t partitions = 0;
  bool operator==(const TopicMeta&) const = default;
};

class TopicCatalog {
 public:
  void add(TopicMeta t) {
    ids_[t.id] = t.name;
    by_name_[t.name] = std::move(t);
  }
  const TopicMeta* by_name(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &it->second;
  }
  const TopicMeta* by_id(const Uuid& id) const {
    auto it = ids_.find(id);
    return it == ids_.end() ? nullptr : by_name(it->second);
  }
  const std::map<std::string, TopicMeta>& all() const { return by_name_; }
  int64_t version = 0;

 private:
  std::map<std::string, TopicMeta> by_name_;
  std::map<Uuid, std::string> ids_;
};

}  // namespace runnel::group
