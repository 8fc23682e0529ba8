// Validation is on the Produce hot path: it must not allocate for an uncompressed batch, and for
// a compressed one only until its thread-local buffers have grown. Counted by replacing the
// global allocator in this test binary.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "broker/records/validate.h"
#include "tests/unit/records/test_util.h"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace runnel::records {
namespace {

long allocations_during_validate(const std::vector<uint8_t>& batch, std::vector<BatchInfo>& out) {
  ValidationLimits limits;
  limits.now_ms = test::kBaseTs;
  long before = g_allocations.load();
  const bool valid = validate_produce_records(batch.data(), batch.size(), 11, limits, out).has_value();
  long after = g_allocations.load();
  EXPECT_TRUE(valid);
  return after - before;
}

TEST(ValidateAllocations, NoneOnceWarm) {
  auto set = test::make_records(200);
  for (Compression c : {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                        Compression::zstd}) {
    auto batch = test::build(set, c);
    std::vector<BatchInfo> out;
    out.reserve(1);
    long first = allocations_during_validate(batch, out);
    if (c == Compression::none) {
      EXPECT_EQ(first, 0) << "uncompressed must never allocate";
    }
    EXPECT_EQ(allocations_during_validate(batch, out), 0) << compression_name(c);
  }
}

TEST(ValidateAllocations, CounterWorks) {
  long before = g_allocations.load();
  // A direct operator-new call: unlike a new-expression, the compiler may not elide it.
  void* p = ::operator new(16);
  ::operator delete(p);
  EXPECT_GT(g_allocations.load(), before);
}

}  // namespace
}  // namespace runnel::records
