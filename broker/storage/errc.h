#pragma once

// Why a storage operation on the serving path failed. Storage speaks its own vocabulary; the
// Kafka error code a client sees is chosen at the handler edge (server/storage_errors.h), so
// the log can tell "the disk is full" from "the disk is broken" without knowing the wire.
// An enum, never a string: these travel with every append and read.

#include <cstdint>

namespace runnel::storage {

enum class Errc : uint8_t {
  none = 0,                // no error (AppendResult and ReadResult carry their error as a field)
  log_failed,              // an I/O error (EIO, a short write) failed the log: it accepts and
                           // serves nothing more until the broker restarts and recovers it
  out_of_space,            // ENOSPC: appends are refused until space frees up; reads still work
  closed,                  // the log is closing or closed (shutdown, partition removal)
  offset_out_of_range,     // a read outside [log start, log end], or a replicated append that
                           // overlaps the log (the follower must truncate first)
  out_of_order_sequence,   // idempotent producer: a gap in the batch's sequence numbers
  invalid_producer_epoch,  // idempotent producer: older than the producer's current epoch
};

inline const char* name(Errc e) {
  switch (e) {
    case Errc::none: return "none";
    case Errc::log_failed: return "log_failed";
    case Errc::out_of_space: return "out_of_space";
    case Errc::closed: return "closed";
    case Errc::offset_out_of_range: return "offset_out_of_range";
    case Errc::out_of_order_sequence: return "out_of_order_sequence";
    case Errc::invalid_producer_epoch: return "invalid_producer_epoch";
  }
  return "unknown";
}

}  // namespace runnel::storage
