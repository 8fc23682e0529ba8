#pragma once
// The bearer token for each request. A static token never changes; a token file (the projected
// service-account token, which the kubelet rotates roughly hourly) is re-read at most once per
// `reread` period, and at once after the server answered 401 (`invalidate`).
// Thread-safe.

#include <chrono>
#include <mutex>
#include <string>

namespace runnel::kube {

class TokenSource {
 public:
  TokenSource(std::string static_token, std::string file,
              std::chrono::seconds reread = std::chrono::seconds(60));
  std::string token();
  // Forces the next `token()` to re-read the file. Returns true when there is a file to re-read.
  bool invalidate();

 private:
  std::mutex mu_;
  std::string token_;
  std::string file_;
  std::chrono::seconds reread_;
  std::chrono::steady_clock::time_point read_at_{};
  bool stale_ = true;
};

}  // namespace runnel::kube
