// Shared helpers of the load generators: flags, clocks, a log-linear latency histogram, JSON output.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bench {

// `--key value` / `--key=value` flags; get() aborts with a message when a required flag is missing.
class Flags {
 public:
  Flags(int argc, char** argv);
  std::string get(const std::string& k, const char* dflt = nullptr) const;
  int64_t num(const std::string& k, int64_t dflt) const;
  double real(const std::string& k, double dflt) const;

 private:
  std::map<std::string, std::string> kv_;
};

int64_t mono_ns();
int64_t wall_ns();
void sleep_until_mono(int64_t t_ns);

// Latency histogram in microseconds with < 1% relative error (log-linear buckets), so that millions
// of samples cost a few hundred KiB and no sorting.
class Histogram {
 public:
  Histogram();
  void add_us(int64_t us);
  void merge(const Histogram& o);
  uint64_t count() const { return n_; }
  double percentile_ms(double p) const;  // p in [0,100]
  double max_ms() const { return double(max_) / 1000.0; }

 private:
  std::vector<uint64_t> buckets_;
  uint64_t n_ = 0;
  int64_t max_ = 0;
};

// Bytes for record values: lowercase letters from a seeded generator, so lz4 has something (though
// not much) to compress, like text payloads; identical for every broker.
std::string payload(size_t size, uint32_t seed);

// Prints one JSON object on stdout: numbers are written as numbers, everything else as strings.
void emit_json(const std::vector<std::pair<std::string, std::string>>& fields);
std::string num_str(double v);

}  // namespace bench
