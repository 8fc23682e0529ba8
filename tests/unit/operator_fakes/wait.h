#pragma once
// Polls a condition in tests that wait for background threads.
#include <chrono>
#include <functional>
#include <thread>

namespace runnel::operator_fakes {

inline bool wait_until(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

}  // namespace runnel::operator_fakes
