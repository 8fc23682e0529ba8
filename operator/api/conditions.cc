#include "operator/api/conditions.h"

#include <algorithm>

namespace runnel::api {

Condition make_condition(std::string_view type, bool status, std::string reason,
                         std::string message, int64_t observed_generation) {
  Condition c;
  c.type = std::string(type);
  c.status = status ? "True" : "False";
  c.reason = std::move(reason);
  c.message = std::move(message);
  c.observed_generation = observed_generation;
  return c;
}

bool set_condition(std::vector<Condition>& conditions, Condition c, std::string_view now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& old) { return old.type == c.type; });
  if (it == conditions.end()) {
    c.last_transition_time = std::string(now);
    conditions.push_back(std::move(c));
    return true;
  }
  c.last_transition_time =
      (it->status == c.status && !it->last_transition_time.empty()) ? it->last_transition_time
                                                                    : std::string(now);
  if (*it == c) return false;
  *it = std::move(c);
  return true;
}

const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type) {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

bool condition_is_true(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* c = find_condition(conditions, type);
  return c != nullptr && c->is_true();
}

Json to_json(const Condition& c) {
  Json j = {{"type", c.type},
            {"status", c.status},
            {"reason", c.reason},
            {"message", c.message},
            {"lastTransitionTime", c.last_transition_time}};
  if (c.observed_generation > 0) j["observedGeneration"] = c.observed_generation;
  return j;
}

Condition condition_from_json(const Json& j) {
  Condition c;
  c.type = j.value("type", "");
  c.status = j.value("status", "");
  c.reason = j.value("reason", "");
  c.message = j.value("message", "");
  c.observed_generation = j.value("observedGeneration", int64_t{0});
  c.last_transition_time = j.value("lastTransitionTime", "");
  return c;
}

Json conditions_to_json(const std::vector<Condition>& conditions) {
  Json arr = Json::array();
  for (const auto& c : conditions) arr.push_back(to_json(c));
  return arr;
}

std::vector<Condition> conditions_from_json(const Json& j) {
  std::vector<Condition> out;
  if (!j.is_array()) return out;
  for (const auto& item : j) out.push_back(condition_from_json(item));
  return out;
}

}  // namespace runnel::api
