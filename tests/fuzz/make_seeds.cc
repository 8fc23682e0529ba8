// Writes the seed corpora tests/fuzz/corpus/{request,records}/ (run by make_seeds.sh; the
// output is committed so that the fuzz tests need neither this tool nor a long warm-up).
//
// request/: for every request API and version, a RequestHeader followed by the protocol
// tests' filled sample body (every field present set to a non-default value), plus Produce
// requests carrying real record batches.
// records/: batches from build_batch() for every codec and producer shape, in the input layout
// of records_input.h, both as clients send them and in the "recompress" form that lets the
// fuzzer mutate the records inside a compressed batch; plus a few rejected shapes.

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "broker/protocol/generated/api_keys.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/records/batch_builder.h"
#include "broker/records/bytes.h"
#include "broker/records/compression.h"
#include "tests/fuzz/records_input.h"
#include "tests/unit/protocol/message_case.h"

namespace {

using namespace runnel;
using records::Compression;

std::string g_dir;
size_t g_files = 0;
size_t g_bytes = 0;

void write_file(const std::string& sub, const std::string& name, const std::vector<uint8_t>& data) {
  std::string path = g_dir + "/" + sub + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  ++g_files;
  g_bytes += data.size();
}

std::vector<uint8_t> with_header(int16_t key, int16_t version, const std::vector<uint8_t>& body) {
  protocol::RequestHeader h;
  h.request_api_key = key;
  h.request_api_version = version;
  h.correlation_id = 7;
  h.client_id = "fuzz";
  std::vector<uint8_t> out;
  protocol::Writer w(out);
  h.encode(w, protocol::request_header_version(key, version));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// A small but varied batch: keys, null key, null value, headers, spread timestamps.
std::vector<records::RecordInput> sample_records(int count) {
  static const char* kValues[] = {"value-0", "", "a longer value that compresses compresses compresses"};
  std::vector<records::RecordInput> rs(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    records::RecordInput& r = rs[size_t(i)];
    if (i % 3 != 1) r.key = i % 2 == 0 ? "key" : "k2";
    if (i % 4 != 3) r.value = kValues[i % 3];
    if (i % 2 == 1) r.headers = {{"h", "v"}, {"trace", std::nullopt}};
    r.timestamp = fuzz::kNowMs - 1000 + i * 10;
  }
  return rs;
}

void request_seeds() {
  for (const auto& c : protocol::test::all_message_cases()) {
    if (c.kind != "request") continue;
    const protocol::ApiKeyInfo* info = nullptr;
    for (const auto& k : protocol::all_api_keys()) {
      if (c.name == std::string(k.name) + "Request") info = &k;
    }
    if (info == nullptr) continue;  // not an API request (none today)
    for (int16_t v = c.min_version; v <= c.max_version; ++v) {
      write_file("request", c.name + "_v" + std::to_string(v), with_header(info->api_key, v, c.sample(v)));
    }
  }
  // Produce with real batches, one per codec, at the first version each codec is allowed.
  for (uint8_t id = 0; id <= 4; ++id) {
    records::BatchOptions o;
    o.compression = Compression(id);
    auto recs = sample_records(3);
    std::vector<uint8_t> batch = records::build_batch(o, recs);
    for (int16_t v : {int16_t(id == 4 ? 7 : 3), int16_t(9), int16_t(11)}) {
      protocol::ProduceRequest req;
      req.acks = -1;
      req.timeout_ms = 30000;
      req.transactional_id = std::nullopt;
      auto& topic = req.topic_data.emplace_back();
      topic.name = "topic";
      auto& part = topic.partition_data.emplace_back();
      part.index = 0;
      part.records = protocol::RecordsRef{batch.data(), batch.size(), false};
      std::vector<uint8_t> body;
      protocol::Writer w(body);
      req.encode(w, v);
      write_file("request", "ProduceRequest_v" + std::to_string(v) + "_" +
                                records::compression_name(Compression(id)),
                 with_header(0, v, body));
    }
  }
}

void records_seeds() {
  using namespace runnel::fuzz;
  const uint8_t repair = flag::recompress | flag::fix_length | flag::fix_crc;
  struct Shape {
    const char* name;
    int count;
    bool idempotent;
    bool transactional;
  };
  const Shape shapes[] = {{"one", 1, false, false}, {"five", 5, false, false},
                          {"idempotent", 3, true, false}, {"transactional", 2, true, true}};
  for (uint8_t id = 0; id <= 4; ++id) {
    auto codec = Compression(id);
    std::string cname = records::compression_name(codec);
    for (const Shape& s : shapes) {
      records::BatchOptions o;
      o.compression = codec;
      if (s.idempotent) {
        o.producer_id = 4242;
        o.producer_epoch = 3;
        o.base_sequence = 17;
      }
      o.transactional = s.transactional;
      auto recs = sample_records(s.count);
      std::vector<uint8_t> batch = records::build_batch(o, recs);
      std::string base = cname + "_" + s.name;
      // As a client sends it, no repairs: CRC and codec paths as they are.
      write_file("records", base, make_records_input(11, 0, batch));
      // Uncompressed body with the codec bit set; the harness compresses it.
      records::BatchOptions plain = o;
      plain.compression = Compression::none;
      std::vector<uint8_t> raw = records::build_batch(plain, recs);
      records::store_be16(raw.data() + records::layout::attributes,
                          uint16_t(records::load_be16(raw.data() + records::layout::attributes) | id));
      write_file("records", base + "_recompress", make_records_input(11, repair, raw));
    }
    // Topic settings: compacted, bounded timestamps, LogAppendTime topic, small limits.
    records::BatchOptions o;
    o.compression = codec;
    auto recs = sample_records(4);
    std::vector<uint8_t> batch = records::build_batch(o, recs);
    write_file("records", cname + "_compacted", make_records_input(9, flag::compacted_topic, batch));
    write_file("records", cname + "_bounded", make_records_input(8, flag::bounded_timestamps, batch));
    write_file("records", cname + "_log_append_topic",
               make_records_input(10, flag::log_append_time_topic | flag::fix_crc, batch));
    write_file("records", cname + "_small_limits", make_records_input(11, flag::small_limits, batch));
    write_file("records", cname + "_produce_v3", make_records_input(3, 0, batch));
  }
  // Shapes the validator must reject.
  records::BatchOptions o;
  auto recs = sample_records(2);
  std::vector<uint8_t> batch = records::build_batch(o, recs);
  std::vector<uint8_t> two = batch;
  two.insert(two.end(), batch.begin(), batch.end());
  write_file("records", "reject_two_batches", fuzz::make_records_input(11, 0, two));
  std::vector<uint8_t> tail = batch;
  tail.insert(tail.end(), batch.begin(), batch.begin() + 30);
  write_file("records", "cut_off_tail", fuzz::make_records_input(11, 0, tail));
  write_file("records", "reject_control",
             fuzz::make_records_input(
                 11, 0, records::build_control_batch(o, records::ControlType::commit, 5, fuzz::kNowMs)));
  records::BatchOptions log_append = o;
  log_append.timestamp_type = records::TimestampType::log_append_time;
  write_file("records", "reject_log_append_batch",
             fuzz::make_records_input(11, 0, records::build_batch(log_append, recs)));
  records::BatchOptions offset = o;
  offset.base_offset = 100;
  write_file("records", "reject_base_offset",
             fuzz::make_records_input(11, 0, records::build_batch(offset, recs)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>  (writes <dir>/request and <dir>/records)\n", argv[0]);
    return 2;
  }
  g_dir = argv[1];
  request_seeds();
  records_seeds();
  std::printf("wrote %zu seeds, %zu bytes\n", g_files, g_bytes);
  return 0;
}
