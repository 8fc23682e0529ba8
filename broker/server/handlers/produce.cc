#include <chrono>
#include <optional>
#include <span>

#include "broker/log/log.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/produce_response.h"
#include "broker/records/batch_header.h"
#include "broker/records/stamp.h"
#include "broker/records/validate.h"
#include "broker/model/assert.h"
#include "broker/model/shared_bytes.h"
#include "broker/server/handlers/error_note.h"
#include "broker/io/for_each.h"
#include "broker/server/handlers/leader_hints.h"
#include "broker/server/handlers/partition_handlers.h"

namespace runnel::server::handlers {

namespace {

using PartitionResponse = protocol::ProduceResponse::TopicProduceResponse::PartitionProduceResponse;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

records::ValidationLimits limits_for(const cluster::TopicInfo& t, int64_t now) {
  records::ValidationLimits l;
  const config::TopicConfig& c = t.effective;
  l.max_message_bytes = c.max_message_bytes;
  l.compacted_topic = c.cleanup_compact;
  l.topic_timestamp_type = c.message_timestamp_type == config::TimestampType::log_append_time
                               ? records::TimestampType::log_append_time
                               : records::TimestampType::create_time;
  l.now_ms = now;
  l.ts_before_max_ms = c.message_timestamp_before_max_ms;
  l.ts_after_max_ms = c.message_timestamp_after_max_ms;
  return l;
}

// One partition of the request, validated here on the connection's core and appended (and
// stamped, records/stamp.h) on the partition's core.
struct Job {
  const cluster::TopicInfo* topic = nullptr;
  TopicPartition tp;
  SharedBytes batches;  // a share of the request frame, handed to the append
  records::TimestampStamp timestamps;
  PartitionResponse* response = nullptr;
  int64_t records = 0;  // for metrics
};

// What validation found to go into the batch header on append.
struct Accepted {
  std::span<uint8_t> bytes;
  records::TimestampStamp timestamps;
  int64_t records = 0;
};

// --- Plan: validate every partition's records; what passes becomes a Job ---

// The response skeleton, one entry per requested partition in request order. Responses are
// filled in place, so it is complete before any Job points into it.
protocol::ProduceResponse response_skeleton(const protocol::ProduceRequest& req) {
  protocol::ProduceResponse resp;
  resp.responses.reserve(req.topic_data.size());
  for (const auto& td : req.topic_data) {
    auto& tr = resp.responses.emplace_back();
    tr.name = td.name;
    tr.partition_responses.reserve(td.partition_data.size());
    for (const auto& pd : td.partition_data) {
      auto& pr = tr.partition_responses.emplace_back();
      pr.index = pd.index;
      pr.base_offset = -1;
    }
  }
  return resp;
}

// Validates one partition's records; on success returns the bytes to append and how their
// timestamps are to be stamped, else fills the response with the error. Nothing is written into
// the batches here: the partition's log stamps them on its own core.
std::optional<Accepted> validate_partition(const RequestInfo& ctx, const protocol::ProduceRequest& req,
                                           const Route& route,
                                           const protocol::ProduceRequest::TopicProduceData::PartitionProduceData& pd,
                                           int64_t now, PartitionResponse& pr) {
  ErrorCode error = ErrorCode::none;
  std::string message;
  std::vector<records::RecordErrorInfo> record_errors;
  const cluster::TopicInfo* topic = route.topic;
  if (ctx.api_version < 3) {
    // Kafka 4.0 advertises Produce v0-2 for librdkafka's sake but refuses them (KAFKA-18659).
    error = ErrorCode::unsupported_version;
  } else if (req.acks != 0 && req.acks != 1 && req.acks != -1) {
    error = ErrorCode::invalid_required_acks;
  } else if (route.error != ErrorCode::none) {
    error = route.error;
  } else if (pd.records.is_null || pd.records.data == nullptr) {
    error = ErrorCode::invalid_record;
  } else {
    std::vector<records::BatchInfo> batches;
    Result<void, records::ProduceRejection> valid = records::validate_produce_records(
        pd.records.data, pd.records.size, ctx.api_version, limits_for(*topic, now), batches);
    if (!valid) {
      records::ProduceRejection& rejection = valid.error();
      error = rejection.code;
      message = std::move(rejection.message);
      record_errors = std::move(rejection.record_errors);
    } else {
      // Produce v3+ carries exactly one batch per partition (validation refuses more).
      RUNNEL_ASSERT(batches.size() == 1, "validated produce data with %zu batches", batches.size());
      const records::BatchInfo& b = batches.front();
      Accepted a;
      // The request frame is this request's own buffer: the log may stamp it in place.
      a.bytes = std::span<uint8_t>(const_cast<uint8_t*>(b.data), b.size);
      a.records = b.header.records_count;
      if (topic->effective.message_timestamp_type == config::TimestampType::log_append_time) {
        a.timestamps.type = records::TimestampType::log_append_time;
      } else {
        a.timestamps.max_timestamp = b.max_timestamp;
      }
      return a;
    }
  }
  pr.error_code = wire(error);
  if (!message.empty()) pr.error_message = message;
  for (auto& re : record_errors) {
    auto& e = pr.record_errors.emplace_back();
    e.batch_index = re.batch_index;
    e.batch_index_error_message = re.message;
  }
  return std::nullopt;
}

std::vector<Job> plan(const RequestInfo& ctx, PartitionRouter& router, const protocol::ProduceRequest& req,
                      const cluster::MetadataImage& image, protocol::ProduceResponse& resp) {
  const int64_t now = wall_ms();
  std::vector<Job> jobs;
  for (size_t ti = 0; ti < req.topic_data.size(); ++ti) {
    const auto& td = req.topic_data[ti];
    for (size_t pi = 0; pi < td.partition_data.size(); ++pi) {
      const auto& pd = td.partition_data[pi];
      PartitionResponse& pr = resp.responses[ti].partition_responses[pi];
      TopicPartition tp{td.name, PartitionId(pd.index)};
      Route route = router.route(image, tp);
      if (auto a = validate_partition(ctx, req, route, pd, now, pr)) {
        jobs.push_back(Job{route.topic, std::move(tp), SharedBytes(ctx.frame, a->bytes), a->timestamps, &pr, a->records});
      }
    }
  }
  return jobs;
}

// --- Execute: append on each partition's owner core, all partitions at once ---

io::Task<void> execute(io::Ring& ring, PartitionRouter& router, std::vector<Job>& jobs, int16_t acks) {
  co_await io::for_each(ring, jobs.size(), [&](size_t i) -> io::Task<void> {
    Job& job = jobs[i];
    AppendOutcome outcome = co_await router.append(job.tp, job.batches, job.timestamps, acks);
    job.response->error_code = wire(outcome.error);
    if (outcome.error == ErrorCode::none) {
      job.response->base_offset = outcome.base_offset;
      job.response->log_start_offset = outcome.log_start_offset;
      job.response->log_append_time_ms = outcome.log_append_time_ms;
    }
  });
}

}  // namespace

io::Task<HandlerStatus> serve_produce(PartitionEnv& env, RequestInfo& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ProduceRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;

  protocol::ProduceResponse resp = response_skeleton(req);
  std::vector<Job> jobs = plan(ctx, env.router, req, *env.image, resp);
  co_await execute(env.ring, env.router, jobs, req.acks);

  // Assemble.
  for (const Job& job : jobs) {
    if (job.response->error_code == 0 && env.probe != nullptr) {
      env.probe->on_produced(job.tp.topic, job.batches.size(), job.records);
    }
  }
  for (const auto& tr : resp.responses) note_errors(ctx, tr.partition_responses);
  for (size_t ti = 0; ti < req.topic_data.size(); ++ti) {
    auto& partitions = resp.responses[ti].partition_responses;
    for (auto& pr : partitions) add_leader_hint(*env.image, req.topic_data[ti].name, pr.index, pr, resp.node_endpoints);
  }

  if (req.acks == 0) {
    // A producer with acks=0 reads no responses; Kafka closes the connection on any error so
    // that the client notices, refreshes metadata and reconnects.
    for (const auto& tr : resp.responses) {
      for (const auto& pr : tr.partition_responses) {
        if (pr.error_code != 0) co_return HandlerStatus::close;
      }
    }
    co_return HandlerStatus::no_response;
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
