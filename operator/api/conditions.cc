#include "operator/api/conditions.h"

#include <algorithm>
#include <array>

namespace runnel::api {
namespace {

// Indexed by the enums' values.
constexpr std::array<std::string_view, 3> kTypeNames = {"Ready", "Progressing", "Degraded"};
constexpr std::array<std::string_view, 3> kStatusNames = {"True", "False", "Unknown"};

}  // namespace

std::string_view to_string(ConditionType type) { return kTypeNames.at(static_cast<size_t>(type)); }

std::string_view to_string(ConditionStatus status) { return kStatusNames.at(static_cast<size_t>(status)); }

ConditionStatus condition_status_from_string(std::string_view s) {
  if (s == to_string(ConditionStatus::kTrue)) return ConditionStatus::kTrue;
  if (s == to_string(ConditionStatus::kFalse)) return ConditionStatus::kFalse;
  return ConditionStatus::kUnknown;
}

Condition make_condition(ConditionType type, bool status, std::string_view reason,
                         std::string message, int64_t observed_generation) {
  Condition c;
  c.type = std::string(to_string(type));
  c.status = status ? ConditionStatus::kTrue : ConditionStatus::kFalse;
  c.reason = std::string(reason);
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

const Condition* find_condition(const std::vector<Condition>& conditions, ConditionType type) {
  for (const auto& c : conditions) {
    if (c.is(type)) return &c;
  }
  return nullptr;
}

bool condition_is_true(const std::vector<Condition>& conditions, ConditionType type) {
  const Condition* c = find_condition(conditions, type);
  return c != nullptr && c->is_true();
}

Json to_json(const Condition& c) {
  Json j = {{"type", c.type},
            {"status", to_string(c.status)},
            {"reason", c.reason},
            {"message", c.message},
            {"lastTransitionTime", c.last_transition_time}};
  if (c.observed_generation > 0) j["observedGeneration"] = c.observed_generation;
  return j;
}

Condition condition_from_json(const Json& j) {
  Condition c;
  c.type = j.value("type", "");
  c.status = condition_status_from_string(j.value("status", ""));
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
