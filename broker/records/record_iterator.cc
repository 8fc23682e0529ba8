#include "broker/records/record_iterator.h"

#include "broker/model/assert.h"
#include "broker/records/varint.h"

namespace runnel::records {
namespace {

// A varint that failed to decode is "truncated" when it ran off the end, else too long.
RecordError varint_error(const uint8_t* p, const uint8_t* end, size_t max_bytes) {
  for (size_t i = 0; i < max_bytes; ++i) {
    if (p + i >= end) return RecordError::truncated;
  }
  return RecordError::bad_varint;
}

// Reads a varint length-prefixed byte string ending at or before `end`. -1 is null; smaller
// values are malformed, like Kafka's readFrom (which would throw on a negative slice limit).
RecordError read_bytes(const uint8_t*& p, const uint8_t* end, BytesView& out) {
  int32_t n = 0;
  size_t used = read_varint(p, end, n);
  if (used == 0) return varint_error(p, end, 5);
  p += used;
  if (n < -1) return RecordError::bad_length;
  out.length = n;
  out.data = p;
  if (n > 0) {
    if (size_t(end - p) < size_t(n)) return RecordError::truncated;
    p += n;
  }
  return RecordError::none;
}

// Inside a record, running off its end means the record's length lied about its fields.
RecordError inside_record(RecordError e) {
  return e == RecordError::truncated ? RecordError::size_mismatch : e;
}

}  // namespace

const char* record_error_name(RecordError e) {
  switch (e) {
    case RecordError::none:
      return "none";
    case RecordError::truncated:
      return "record truncated";
    case RecordError::bad_varint:
      return "varint too long";
    case RecordError::bad_length:
      return "invalid length";
    case RecordError::bad_header:
      return "invalid record header";
    case RecordError::size_mismatch:
      return "record fields do not match its declared size";
    case RecordError::trailing_bytes:
      return "bytes remain after the declared record count";
  }
  return "unknown";
}

bool RecordReader::next(RecordView& out) {
  if (remaining_ == 0) {
    if (error_ == RecordError::none && p_ != end_) return fail(RecordError::trailing_bytes);
    return false;
  }
  int32_t body_size = 0;
  size_t used = read_varint(p_, end_, body_size);
  if (used == 0) return fail(varint_error(p_, end_, 5));
  if (body_size < 0) return fail(RecordError::bad_length);
  const uint8_t* body = p_ + used;
  if (size_t(end_ - body) < size_t(body_size)) return fail(RecordError::truncated);
  // Every field must end inside the record's own bytes.
  const uint8_t* rec_end = body + body_size;
  const uint8_t* p = body;

  if (p >= rec_end) return fail(RecordError::size_mismatch);
  out.attributes = int8_t(*p++);
  size_t n = read_varlong(p, rec_end, out.timestamp_delta);
  if (n == 0) return fail(inside_record(varint_error(p, rec_end, 10)));
  p += n;
  n = read_varint(p, rec_end, out.offset_delta);
  if (n == 0) return fail(inside_record(varint_error(p, rec_end, 5)));
  p += n;
  RecordError e = read_bytes(p, rec_end, out.key);
  if (e == RecordError::none) e = read_bytes(p, rec_end, out.value);
  if (e != RecordError::none) return fail(inside_record(e));

  n = read_varint(p, rec_end, out.header_count);
  if (n == 0) return fail(inside_record(varint_error(p, rec_end, 5)));
  p += n;
  // Each header needs at least two bytes, so a count larger than the bytes left is a lie
  // (Kafka checks against the bytes remaining, too).
  if (out.header_count < 0 || size_t(out.header_count) > size_t(rec_end - p)) {
    return fail(RecordError::bad_header);
  }
  out.headers_data = p;
  for (int32_t i = 0; i < out.header_count; ++i) {
    BytesView key;
    BytesView value;
    e = read_bytes(p, rec_end, key);
    if (e == RecordError::none && key.is_null()) e = RecordError::bad_header;
    if (e == RecordError::none) e = read_bytes(p, rec_end, value);
    if (e != RecordError::none) return fail(inside_record(e));
  }
  out.headers_size = size_t(p - out.headers_data);
  if (p != rec_end) return fail(RecordError::size_mismatch);

  out.size_bytes = int32_t(used) + body_size;
  p_ = rec_end;
  --remaining_;
  if (remaining_ == 0 && p_ != end_) {
    // Kafka checks this after the last record too ("records still remaining"); fail now so a
    // caller that stops at records_count cannot miss it.
    error_ = RecordError::trailing_bytes;
  }
  return true;
}

bool HeaderIterator::next(RecordHeaderView& out) {
  if (remaining_ <= 0) return false;
  BytesView key;
  RecordError e = read_bytes(p_, end_, key);
  RUNNEL_ASSERT(e == RecordError::none && !key.is_null(), "header was validated: error %d", int(e));
  e = read_bytes(p_, end_, out.value);
  RUNNEL_ASSERT(e == RecordError::none, "header was validated: error %d", int(e));
  out.key = key.str();
  --remaining_;
  return true;
}

}  // namespace runnel::records
