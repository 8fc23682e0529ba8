#include "operator/api/conditions.h"

#include <gtest/gtest.h>

#include "operator/api/time.h"

namespace runnel::api {
namespace {

TEST(Conditions, NewConditionGetsNow) {
  std::vector<Condition> conds;
  EXPECT_TRUE(set_condition(conds, make_condition(kReady, false, "Starting", "0/3", 1), "T1"));
  ASSERT_EQ(conds.size(), 1u);
  EXPECT_EQ(conds[0].last_transition_time, "T1");
  EXPECT_EQ(conds[0].status, ConditionStatus::kFalse);
}

TEST(Conditions, SameStatusKeepsTransitionTimeButUpdatesMessage) {
  std::vector<Condition> conds;
  set_condition(conds, make_condition(kReady, false, "Starting", "0/3", 1), "T1");
  EXPECT_TRUE(set_condition(conds, make_condition(kReady, false, "Starting", "1/3", 2), "T2"));
  EXPECT_EQ(conds[0].last_transition_time, "T1");
  EXPECT_EQ(conds[0].message, "1/3");
  EXPECT_EQ(conds[0].observed_generation, 2);
}

TEST(Conditions, UnchangedReportsNoChange) {
  std::vector<Condition> conds;
  set_condition(conds, make_condition(kReady, true, "AllBrokersReady", "3/3", 1), "T1");
  EXPECT_FALSE(set_condition(conds, make_condition(kReady, true, "AllBrokersReady", "3/3", 1), "T2"));
  EXPECT_EQ(conds[0].last_transition_time, "T1");
}

TEST(Conditions, StatusChangeMovesTransitionTime) {
  std::vector<Condition> conds;
  set_condition(conds, make_condition(kReady, false, "Starting", "", 1), "T1");
  set_condition(conds, make_condition(kDegraded, false, "AsExpected", "", 1), "T1");
  EXPECT_TRUE(set_condition(conds, make_condition(kReady, true, "AllBrokersReady", "", 1), "T2"));
  EXPECT_EQ(conds.size(), 2u);
  EXPECT_EQ(find_condition(conds, kReady)->last_transition_time, "T2");
  EXPECT_TRUE(condition_is_true(conds, kReady));
  EXPECT_FALSE(condition_is_true(conds, kDegraded));
  EXPECT_EQ(find_condition(conds, kProgressing), nullptr);
}

TEST(Conditions, JsonRoundTrip) {
  std::vector<Condition> conds;
  set_condition(conds, make_condition(kDegraded, true, "ApplyFailed", "boom", 4), "2026-01-02T03:04:05Z");
  Json j = conditions_to_json(conds);
  EXPECT_EQ(j[0]["type"], "Degraded");
  EXPECT_EQ(j[0]["status"], "True");
  EXPECT_EQ(j[0]["observedGeneration"], 4);
  EXPECT_EQ(conditions_from_json(j), conds);
}

TEST(Conditions, TypedOnOurSideTextOnTheWire) {
  EXPECT_EQ(to_string(kProgressing), "Progressing");
  EXPECT_EQ(condition_status_from_string("True"), ConditionStatus::kTrue);
  EXPECT_EQ(condition_status_from_string("False"), ConditionStatus::kFalse);
  EXPECT_EQ(condition_status_from_string("Unknown"), ConditionStatus::kUnknown);
  EXPECT_EQ(condition_status_from_string("yes"), ConditionStatus::kUnknown);
  // Another controller's condition type survives a round trip and is never taken for ours.
  Json j = Json::array({{{"type", "Example.com/Synced"}, {"status", "True"}, {"reason", "R"}},
                        {{"type", "Ready"}, {"status", "False"}, {"reason", "R"}}});
  std::vector<Condition> conds = conditions_from_json(j);
  EXPECT_EQ(conditions_to_json(conds)[0]["type"], "Example.com/Synced");
  EXPECT_FALSE(condition_is_true(conds, kReady));
  EXPECT_TRUE(find_condition(conds, kReady)->is(ConditionType::kReady));
}

TEST(Time, FormatAndParse) {
  auto t = parse_time("2026-11-25T11:05:32Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_time(*t), "2026-11-25T11:05:32Z");
  EXPECT_EQ(parse_time("2026-11-25T11:05:32.123456Z").value(), *t);
  EXPECT_FALSE(parse_time("yesterday").has_value());
  EXPECT_FALSE(parse_time("").has_value());
}

}  // namespace
}  // namespace runnel::api
