// Kafka wire encoding for the raw load generator: one RecordBatch v2 and Produce v9 requests
// built once and re-sent, so the client spends nothing per record.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

uint32_t crc32c(const uint8_t* p, size_t n);

// A v2 RecordBatch of `records` records (no key, no headers) whose values cycle through `values`,
// uncompressed or lz4-compressed.
std::string encode_batch(const std::vector<std::string>& values, int records, int64_t timestamp_ms, bool lz4);

// A whole size-prefixed Produce v9 request carrying `batch` for each of `partitions` partitions of
// `topic`. The correlation id sits at byte offset 8 (see patch_correlation_id).
std::string encode_produce_v9(const std::string& topic, int partitions, const std::string& batch, int16_t acks, int32_t timeout_ms);
void patch_correlation_id(std::string& request, int32_t id);

// Reads the error codes of a Produce v9 response body (after the size prefix); returns the number
// of partitions with a non-zero error code, or -1 when the body does not parse.
int produce_v9_errors(const uint8_t* body, size_t n, int32_t* correlation_id, int* first_error);

// Records per batch so that the batch is at most `batch_bytes` long.
int records_per_batch(size_t value_size, size_t batch_bytes);

}  // namespace bench
