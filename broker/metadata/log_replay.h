#pragma once

// Replaying committed records of the metadata log onto the image: what every node does with
// the records below the high watermark. QuorumController::apply_committed and the controller
// simulation (tests/unit/controller_sim) both call this, so the simulation checks the code that
// runs in production.
//
// Only data entries carry metadata records; LeaderChange control entries are skipped. A record
// that does not decode was written by a newer controller: replay stops before it (Kafka's broker
// stops applying too), so `applied` stays at its offset and the caller never acts on an image
// that skipped a record. A record the replay rules refuse (image_builder.h) leaves the image as
// it was for that record and replay goes on, as Kafka logs a "metadata apply error" and moves
// on; each refusal is reported so the caller can log it (and the simulation can fail on it).

#include <optional>
#include <string>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/raft/log.h"

namespace runnel::metadata {

struct ReplayProblem {
  Offset offset{0};
  std::string what;  // the error's name and detail
};

struct Replay {
  Image image;            // the image after the applied records (the input when none applied)
  Offset applied{0};      // the next offset to apply: `to`, or the first undecodable record
  bool changed = false;   // some record applied
  std::optional<ReplayProblem> undecodable;
  std::vector<ReplayProblem> refused;
};

// Applies the committed records of `log` in [from, to) to `image` in one ImageBuilder (one
// copy-on-write pass however many batches the range holds).
Replay replay_committed(const Image& image, const raft::RaftLog& log, Offset from, Offset to);

}  // namespace runnel::metadata
