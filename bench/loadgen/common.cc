#include "common.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace bench {

Flags::Flags(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) continue;
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      kv_[a.substr(2, eq - 2)] = a.substr(eq + 1);
    } else if (i + 1 < argc) {
      kv_[a.substr(2)] = argv[++i];
    } else {
      kv_[a.substr(2)] = "";
    }
  }
}

std::string Flags::get(const std::string& k, const char* dflt) const {
  auto it = kv_.find(k);
  if (it != kv_.end()) return it->second;
  if (dflt == nullptr) {
    std::fprintf(stderr, "missing --%s\n", k.c_str());
    std::exit(2);
  }
  return dflt;
}

int64_t Flags::num(const std::string& k, int64_t dflt) const {
  auto it = kv_.find(k);
  return it == kv_.end() ? dflt : std::strtoll(it->second.c_str(), nullptr, 10);
}

double Flags::real(const std::string& k, double dflt) const {
  auto it = kv_.find(k);
  return it == kv_.end() ? dflt : std::strtod(it->second.c_str(), nullptr);
}

static int64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
int64_t mono_ns() { return clock_ns(CLOCK_MONOTONIC); }
int64_t wall_ns() { return clock_ns(CLOCK_REALTIME); }

void sleep_until_mono(int64_t t_ns) {
  timespec ts{time_t(t_ns / 1000000000), long(t_ns % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// Values below 256 us get their own bucket; above, 128 sub-buckets per power of two.
static constexpr int kLinear = 256;
static constexpr int kSub = 128;

static size_t bucket_of(int64_t v) {
  if (v < kLinear) return size_t(v < 0 ? 0 : v);
  int e = 63 - __builtin_clzll(uint64_t(v)) - 7;  // v >> e is in [128, 256)
  return size_t(kLinear + (e - 1) * kSub + ((v >> e) - kSub));
}

static double value_of(size_t b) {
  if (b < size_t(kLinear)) return double(b);
  size_t r = b - kLinear;
  int e = int(r / kSub) + 1;
  double m = double(r % kSub + kSub);
  return (m + 0.5) * double(int64_t(1) << e);
}

Histogram::Histogram() : buckets_(kLinear + 56 * kSub, 0) {}

void Histogram::add_us(int64_t us) {
  size_t b = bucket_of(us);
  if (b >= buckets_.size()) b = buckets_.size() - 1;
  ++buckets_[b];
  ++n_;
  if (us > max_) max_ = us;
}

void Histogram::merge(const Histogram& o) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  n_ += o.n_;
  if (o.max_ > max_) max_ = o.max_;
}

double Histogram::percentile_ms(double p) const {
  if (n_ == 0) return 0;
  uint64_t want = uint64_t(std::ceil(double(n_) * p / 100.0));
  if (want == 0) want = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= want) return value_of(i) / 1000.0;
  }
  return max_ms();
}

std::string payload(size_t size, uint32_t seed) {
  std::string s(size, 'a');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = char('a' + x % 26);
  }
  return s;
}

std::string num_str(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return std::string("#") + buf;  // '#' marks a number for emit_json
}

void emit_json(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ", ";
    out += "\"" + fields[i].first + "\": ";
    const std::string& v = fields[i].second;
    if (!v.empty() && v[0] == '#') {
      out += v.substr(1);
    } else {
      out += "\"";
      for (char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        out += (c == '\n' ? ' ' : c);
      }
      out += "\"";
    }
  }
  out += "}";
  std::printf("%s\n", out.c_str());
  std::fflush(stdout);
}

}  // namespace bench
