#include <gtest/gtest.h>

#include "broker/admin/process_stats.h"

namespace runnel::admin {
namespace {

TEST(ProcStat, ParsesAfterTheLastParenthesis) {
  // A command name with spaces and parentheses must not shift the fields.
  std::string line = "1234 (ev il) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 9000 123456789 "
                     "4096 18446744073709551615";
  auto st = parse_proc_stat(line);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->utime_ticks, 250);
  EXPECT_EQ(st->stime_ticks, 50);
  EXPECT_EQ(st->starttime_ticks, 9000);
  EXPECT_EQ(st->vsize_bytes, 123456789);
  EXPECT_EQ(st->rss_pages, 4096);
  EXPECT_FALSE(parse_proc_stat("garbage"));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2"));
}

TEST(ProcessStats, ReadsThisProcess) {
  auto p = read_process_stats();
  ASSERT_TRUE(p);
  EXPECT_GT(p->resident_bytes, 0);
  EXPECT_GE(p->open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(p->max_fds, 0);
  EXPECT_GT(p->start_time_seconds, 1.6e9);
}

}  // namespace
}  // namespace runnel::admin
