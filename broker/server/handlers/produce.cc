#include <chrono>
#include <optional>
#include <span>

#include "broker/log/log.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/produce_response.h"
#include "broker/records/batch_header.h"
#include "broker/records/validate.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

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

// One partition of the request, validated here on the connection's core and appended on the
// partition's core.
struct Job {
  const cluster::TopicInfo* topic = nullptr;
  TopicPartition tp;
  uint8_t* data = nullptr;
  size_t size = 0;
  PartitionResponse* response = nullptr;
  int64_t records = 0;  // for metrics
};

struct AppendOutcome {
  ErrorCode error = ErrorCode::none;
  int64_t base_offset = -1;
  int64_t log_start_offset = -1;
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

// Validates one partition's records; on success patches their timestamps in place (the request
// buffer is ours) and returns the bytes to append, else fills the response with the error.
std::optional<std::span<uint8_t>> validate_partition(const RequestContext& ctx, const protocol::ProduceRequest& req,
                                                     const Router::Route& route,
                                                     const protocol::ProduceRequest::TopicProduceData::PartitionProduceData& pd,
                                                     int64_t now, PartitionResponse& pr, int64_t& records_out) {
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
    error = records::validate_produce_records(pd.records.data, pd.records.size, ctx.api_version,
                                              limits_for(*topic, now), batches, &message, &record_errors);
    if (error == ErrorCode::none) {
      uint8_t* base = const_cast<uint8_t*>(pd.records.data);
      size_t used = 0;
      int64_t records = 0;
      for (const auto& b : batches) {
        records += b.header.records_count;
        uint8_t* batch = base + (b.data - pd.records.data);
        if (topic->effective.message_timestamp_type == config::TimestampType::log_append_time) {
          records::set_log_append_time(batch, b.size, now);
          pr.log_append_time_ms = now;
        } else if (b.max_timestamp != b.header.max_timestamp && !b.header.is_control()) {
          records::set_max_timestamp(batch, b.size, records::TimestampType::create_time, b.max_timestamp);
        }
        used = static_cast<size_t>(b.data - pd.records.data) + b.size;
      }
      records_out = records;
      return std::span<uint8_t>(base, used);
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

std::vector<Job> plan(const RequestContext& ctx, Router& router, const protocol::ProduceRequest& req,
                      const cluster::MetadataImage& image, protocol::ProduceResponse& resp) {
  const int64_t now = wall_ms();
  std::vector<Job> jobs;
  for (size_t ti = 0; ti < req.topic_data.size(); ++ti) {
    const auto& td = req.topic_data[ti];
    for (size_t pi = 0; pi < td.partition_data.size(); ++pi) {
      const auto& pd = td.partition_data[pi];
      PartitionResponse& pr = resp.responses[ti].partition_responses[pi];
      TopicPartition tp{td.name, PartitionId(pd.index)};
      Router::Route route = router.route(image, tp);
      int64_t records = 0;
      if (auto bytes = validate_partition(ctx, req, route, pd, now, pr, records)) {
        jobs.push_back(Job{route.topic, std::move(tp), bytes->data(), bytes->size(), &pr, records});
      }
    }
  }
  return jobs;
}

// --- Execute: append on each partition's owner core, all partitions at once ---

io::Task<AppendOutcome> append(Router& router, const Job& job, int16_t acks) {
  std::span<uint8_t> batches(job.data, job.size);
  co_return co_await router.on_partition(
      job.tp,
      [&](Shard& owner, cluster::Partition& p) -> io::Task<AppendOutcome> {
        storage::AppendResult r = co_await p.log().append(batches, LeaderEpoch(p.leader_epoch()));
        if (r.error == ErrorCode::none && !r.duplicate) owner.notify_append(p);
        if (r.error == ErrorCode::none && acks == -1) {
          // Runnel's durability promise: acks=all is answered only once the data is on disk.
          ErrorCode e = co_await p.log().flush(r.last_offset);
          if (e != ErrorCode::none) co_return AppendOutcome{e};
        }
        co_return AppendOutcome{r.error, r.base_offset.value(), r.log_start_offset.value()};
      },
      [](ErrorCode e) { return AppendOutcome{e}; });
}

io::Task<void> execute(Router& router, std::vector<Job>& jobs, int16_t acks) {
  co_await router.for_each(jobs.size(), [&](size_t i) -> io::Task<void> {
    Job& job = jobs[i];
    AppendOutcome outcome = co_await append(router, job, acks);
    job.response->error_code = wire(outcome.error);
    if (outcome.error == ErrorCode::none) {
      job.response->base_offset = outcome.base_offset;
      job.response->log_start_offset = outcome.log_start_offset;
    }
  });
}

}  // namespace

io::Task<HandlerStatus> produce(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ProduceRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;
  Router router(shard);
  cluster::ImagePtr image = shard.image();

  protocol::ProduceResponse resp = response_skeleton(req);
  std::vector<Job> jobs = plan(ctx, router, req, *image, resp);
  co_await execute(router, jobs, req.acks);

  // Assemble.
  for (const Job& job : jobs) {
    if (job.response->error_code == 0) shard.probe().on_produced(job.tp.topic, job.size, job.records);
  }
  for (const auto& tr : resp.responses) note_errors(ctx, tr.partition_responses);

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
