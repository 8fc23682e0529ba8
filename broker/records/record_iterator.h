#pragma once

// Zero-copy reader of the records inside a v2 batch body: the bytes after the 61-byte header of
// an uncompressed batch, or the decompressed body of a compressed one.
//
// Record framing (all varints zig-zag):
//   length varint | attributes int8 | timestamp_delta varlong | offset_delta varint |
//   key_length varint | key | value_length varint | value | header_count varint |
//   header_count x (key_length varint | key | value_length varint | value)
// A length of -1 means null (key, record value, header value; a header key may not be null).
//
// next() checks the whole framing of a record, including its headers, before returning it, so a
// HeaderIterator over a returned record cannot fail. Views point into the caller's buffer and
// are valid as long as it is. No allocation.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace runnel::records {

// A nullable byte string inside a record.
struct BytesView {
  const uint8_t* data = nullptr;
  int32_t length = -1;  // -1: null

  bool is_null() const { return length < 0; }
  size_t size() const { return length < 0 ? 0 : size_t(length); }
  std::string_view str() const { return {reinterpret_cast<const char*>(data), size()}; }
};

struct RecordHeaderView {
  std::string_view key;
  BytesView value;
};

// Walks headers already validated by RecordReader::next().
class HeaderIterator {
 public:
  HeaderIterator(const uint8_t* data, size_t size, int32_t count)
      : p_(data), end_(data + size), remaining_(count) {}
  bool next(RecordHeaderView& out);

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  int32_t remaining_;
};

struct RecordView {
  int32_t size_bytes = 0;  // whole record including its length varint
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  BytesView key;
  BytesView value;
  int32_t header_count = 0;
  const uint8_t* headers_data = nullptr;  // the encoded headers, header_count of them
  size_t headers_size = 0;

  HeaderIterator headers() const { return {headers_data, headers_size, header_count}; }
};

enum class RecordError : uint8_t {
  none,
  truncated,         // fewer bytes than the framing promises, or fewer records than counted
  bad_varint,        // a varint longer than 5 (10) bytes
  bad_length,        // a negative record length or a key/value length < -1
  bad_header,        // negative header count or header key length, or too many headers
  size_mismatch,     // the fields do not add up to the record's declared length
  trailing_bytes,    // bytes left after records_count records
};
const char* record_error_name(RecordError e);

class RecordReader {
 public:
  // `records_count` is the batch header's count: exactly that many records must fill `size`.
  RecordReader(const uint8_t* body, size_t size, int32_t records_count)
      : p_(body), end_(body + size), remaining_(records_count < 0 ? 0 : records_count) {}

  // Fills `out` with the next record. Returns false at the end (error() == none) or on a
  // malformed record (error() says why; the reader then stays stopped). Check error() once
  // next() has returned false: bytes left after the last counted record are reported as
  // trailing_bytes only then, after that last record was returned.
  bool next(RecordView& out);
  RecordError error() const { return error_; }
  // Byte position of the failure or of the reader, relative to the body start.
  size_t position(const uint8_t* body) const { return size_t(p_ - body); }

 private:
  bool fail(RecordError e) {
    error_ = e;
    remaining_ = 0;
    return false;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  int32_t remaining_;
  RecordError error_ = RecordError::none;
};

}  // namespace runnel::records
