#include "operator/kube/reconciler.h"

#include <gtest/gtest.h>

namespace runnel::kube {
namespace {

using std::chrono::seconds;

TEST(Fold, FirstFailureWins) {
  ReconcileResult r = fold(ReconcileResult::failed("children"), ReconcileResult::failed("status"));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_message, "children");
  r = fold(ReconcileResult::after(seconds(5)), ReconcileResult::failed("status"));
  EXPECT_EQ(r.error_message, "status");
  r = fold(ReconcileResult::failed("roll"), ReconcileResult::after(seconds(1)));
  EXPECT_EQ(r.error_message, "roll");
}

TEST(Fold, SoonestRequeueWinsAndDoneIsNeutral) {
  EXPECT_EQ(fold(ReconcileResult::after(seconds(30)), ReconcileResult::after(seconds(5))).requeue_after, seconds(5));
  EXPECT_EQ(fold(ReconcileResult::after(seconds(5)), ReconcileResult::after(seconds(30))).requeue_after, seconds(5));
  EXPECT_EQ(fold(ReconcileResult::done(), ReconcileResult::after(seconds(30))).requeue_after, seconds(30));
  EXPECT_EQ(fold(ReconcileResult::after(seconds(30)), ReconcileResult::done()).requeue_after, seconds(30));
  ReconcileResult done = fold(ReconcileResult::done(), ReconcileResult::done());
  EXPECT_FALSE(done.error);
  EXPECT_EQ(done.requeue_after.count(), 0);
}

}  // namespace
}  // namespace runnel::kube
