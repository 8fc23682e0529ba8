#pragma once
// metav1.Condition and the helpers every controller needs to keep a conditions list honest.
//
// `lastTransitionTime` means "when status last changed", so `set_condition` keeps the old time when
// only the reason or message moves; otherwise every reconcile would rewrite the status and users
// could not tell how long a cluster has been Ready.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace runnel::api {

using Json = nlohmann::json;

// Condition types shared by both kinds. Controllers name them by enum; the strings exist only in
// the JSON (to_json / condition_from_json).
enum class ConditionType { kReady, kProgressing, kDegraded };
inline constexpr ConditionType kReady = ConditionType::kReady;
inline constexpr ConditionType kProgressing = ConditionType::kProgressing;
inline constexpr ConditionType kDegraded = ConditionType::kDegraded;
std::string_view to_string(ConditionType type);  // "Ready", "Progressing", "Degraded"

enum class ConditionStatus { kTrue, kFalse, kUnknown };
std::string_view to_string(ConditionStatus status);  // "True", "False", "Unknown"
// Anything but "True"/"False" reads as kUnknown, as metav1.Condition defines.
ConditionStatus condition_status_from_string(std::string_view s);

struct Condition {
  // Kept as text: a status may carry condition types of other controllers, which must survive a
  // read-modify-write unchanged. Ours are compared through `is(ConditionType)`.
  std::string type;
  ConditionStatus status = ConditionStatus::kUnknown;
  std::string reason;  // CamelCase, required by the schema
  std::string message;
  int64_t observed_generation = 0;
  std::string last_transition_time;  // RFC 3339

  bool is(ConditionType t) const { return type == to_string(t); }
  bool is_true() const { return status == ConditionStatus::kTrue; }
  bool operator==(const Condition&) const = default;
};

// Builds a condition; `status` true/false becomes True/False.
Condition make_condition(ConditionType type, bool status, std::string_view reason,
                         std::string message, int64_t observed_generation);

// Inserts or replaces the condition of `c.type`. The stored lastTransitionTime is kept when the
// status is unchanged, and set to `now` (RFC 3339) when it changes or the condition is new.
// Returns true when anything in the list changed.
bool set_condition(std::vector<Condition>& conditions, Condition c, std::string_view now);

const Condition* find_condition(const std::vector<Condition>& conditions, ConditionType type);
bool condition_is_true(const std::vector<Condition>& conditions, ConditionType type);

Json to_json(const Condition& c);
// Lenient: missing fields stay empty. Throws nlohmann::json::exception on wrong types.
Condition condition_from_json(const Json& j);
Json conditions_to_json(const std::vector<Condition>& conditions);
std::vector<Condition> conditions_from_json(const Json& j);

}  // namespace runnel::api
