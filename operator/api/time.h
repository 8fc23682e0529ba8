#pragma once
// RFC 3339 timestamps as Kubernetes writes them (metav1.Time: UTC, second precision, "Z").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::api {

using Clock = std::chrono::system_clock;

// "2026-11-25T11:05:32Z".
std::string format_time(Clock::time_point t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac]Z"; nullopt for anything else.
std::optional<Clock::time_point> parse_time(std::string_view s);

}  // namespace runnel::api
