#include "operator/kube/token_source.h"

#include <fstream>
#include <sstream>

namespace runnel::kube {

TokenSource::TokenSource(std::string static_token, std::string file, std::chrono::seconds reread)
    : token_(std::move(static_token)), file_(std::move(file)), reread_(reread) {}

std::string TokenSource::token() {
  std::lock_guard lock(mu_);
  if (file_.empty()) return token_;
  auto now = std::chrono::steady_clock::now();
  if (stale_ || now - read_at_ >= reread_) {
    std::ifstream in(file_);
    if (in) {  // keep the previous token when the file is briefly missing during rotation
      std::ostringstream ss;
      ss << in.rdbuf();
      std::string t = ss.str();
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
      if (!t.empty()) token_ = t;
    }
    read_at_ = now;
    stale_ = false;
  }
  return token_;
}

bool TokenSource::invalidate() {
  std::lock_guard lock(mu_);
  stale_ = true;
  return !file_.empty();
}

}  // namespace runnel::kube
