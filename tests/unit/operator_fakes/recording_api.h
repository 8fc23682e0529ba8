#pragma once
// A kube::Api that records every call and answers it without a server.
//
// By default every write succeeds and echoes the object (get answers 404, list an empty list).
// Tests script failures per kind (`apply_results`) or for the next merge patch
// (`fail_next_patch_with`). With `reflect_into(type, store)`, merge patches and status writes of
// that type are applied to a MapStore the way the API server would: the resourceVersion
// precondition (409 on a mismatch), a new resourceVersion per write, and a deletion finished once
// the last finalizer is gone.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "operator/kube/api.h"
#include "tests/unit/operator_fakes/map_store.h"

namespace runnel::operator_fakes {

struct ApiCall {
  std::string verb;  // get, list, apply, apply_status, merge_patch, create, remove
  std::string kind;
  std::string plural;
  std::string ns;
  std::string name;
  Json body;
};

class RecordingApi : public kube::Api {
 public:
  RecordingApi() = default;
  // Shorthand for reflect_into(kRunnelTopic, topics).
  explicit RecordingApi(MapStore* topics) { reflect_into(kube::types::kRunnelTopic, topics); }

  void reflect_into(const kube::ResourceType& type, MapStore* store) { reflected_[type.plural] = store; }

  kube::Result get(const kube::ResourceType& type, std::string_view ns, std::string_view name) override;
  kube::Result list(const kube::ResourceType& type, std::string_view ns, const kube::ListOptions&) override;
  kube::Result apply(const kube::ResourceType& type, const Json& object) override;
  kube::Result apply_status(const kube::ResourceType& type, const Json& object) override;
  kube::Result merge_patch(const kube::ResourceType& type, std::string_view ns, std::string_view name,
                           const Json& patch) override;
  kube::Result create(const kube::ResourceType& type, const Json& object) override;
  kube::Result remove(const kube::ResourceType& type, std::string_view ns, std::string_view name) override;

  std::vector<ApiCall> calls_of(const std::string& verb) const;

  std::vector<ApiCall> calls;
  // kind -> the Result every apply (or remove) of that kind returns instead of succeeding.
  std::map<std::string, kube::Result> apply_results;
  std::map<std::string, kube::Result> remove_results;
  // When set, the next merge_patch answers this status (e.g. 409) without applying.
  int fail_next_patch_with = 0;

 private:
  void record(std::string verb, const kube::ResourceType& type, std::string ns, std::string name,
              Json body);
  MapStore* reflected(const kube::ResourceType& type) const;

  std::map<std::string, MapStore*> reflected_;  // plural -> store
};

}  // namespace runnel::operator_fakes
