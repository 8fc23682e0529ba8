#include "broker/server/shard.h"

#include <algorithm>

#include <fcntl.h>
#include <malloc.h>

#include <chrono>
#include <filesystem>

#include "broker/log/log.h"
#include "broker/metrics/clock.h"
#include "broker/model/assert.h"
#include "broker/protocol/generated/api_keys.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/server/broker.h"
#include "broker/server/group_service.h"
#include "broker/server/handler_registry.h"
#include "broker/server/handlers/api_versions_fallback.h"
#include "broker/io/blocking.h"
#include "broker/storage/blocking_files.h"
#include "broker/storage/cleaner.h"
#include "broker/storage/log_config.h"

namespace runnel::server {

namespace {
thread_local Shard* tls_shard = nullptr;
constexpr uint16_t kBufferGroup = 1;
// Received bytes are copied out and the buffer recycled at once, so the pool only has to cover
// one loop iteration's completions; every buffer ends up resident (the kernel cycles through the
// ring), so its size is a fixed part of RSS: 4 MiB per core.
constexpr uint32_t kRecvBuffers = 64;
constexpr uint32_t kRecvBufferBytes = 64 * 1024;

int16_t be16(const uint8_t* p) { return static_cast<int16_t>((uint16_t{p[0]} << 8) | p[1]); }
}  // namespace

Shard::Shard(Broker& broker, int index, io::Ring& ring)
    : broker_(broker), index_(index), ring_(ring), buffers_(ring, kBufferGroup, kRecvBuffers, kRecvBufferBytes),
      log_files_(ring),
      log_env_{ring, log_files_, storage::BlockingFiles::instance(), staging_, recent_writes_,
               storage::SystemClock::instance(), nullptr},
      fetch_sessions_(index, broker.shard_count(), broker.config().max_incremental_fetch_session_cache_slots) {
  tls_shard = this;
  probe_ = &broker.probe().shard(index);
  log_env_.probe = probe_;
}

Shard::~Shard() {
  if (tls_shard == this) tls_shard = nullptr;
}

Shard& Shard::current() {
  RUNNEL_ASSERT(tls_shard != nullptr, "no shard on this thread");
  return *tls_shard;
}

bool Shard::leads(const cluster::MetadataImage& image, const std::string& topic, int32_t partition) const {
  const cluster::TopicInfo* t = image.topic(topic);
  if (t == nullptr || !t->has_partition(partition)) return false;
  return t->partitions[static_cast<size_t>(partition)].leader == broker_.config().node_id;
}

cluster::Partition* Shard::led_partition(const std::string& topic, int32_t partition) {
  return leads(*image_, topic, partition) ? this->partition(topic, partition) : nullptr;
}

void Shard::notify_append(cluster::Partition& p) {
  uint64_t watchers = p.take_watchers();
  while (watchers != 0) {
    int s = __builtin_ctzll(watchers);
    watchers &= watchers - 1;
    Shard& target = broker_.shard(s);
    ring_.send_msg(target.ring(), &target.append_watch(), p.uid());
  }
}

Result<void, std::string> Shard::listen(const std::string& host, int port, int backlog, bool deferred,
                                        ListenerRole role) {
  auto acc = std::make_unique<net::Acceptor>(ring_, [this, role](int fd, std::string peer) {
    if (shutting_down_) {
      ::close(fd);
      return;
    }
    net::Connection::Limits limits;
    limits.max_request_bytes = broker_.config().socket_request_max_bytes;
    auto conn = std::make_unique<net::Connection>(
        ring_, buffers_, *this, fd, next_connection_id_++ * 64 + static_cast<uint64_t>(index_), limits, std::move(peer));
    conn->set_listener(static_cast<uint8_t>(role));
    connections_.insert(conn.get());
    probe_->on_connection_opened();
    connection_tasks_.spawn(run_connection(std::move(conn)));
  });
  Result<void, std::string> listening = acc->listen(host, port, backlog);
  if (listening) {
    acceptors_.push_back(std::move(acc));
    deferred_.push_back(deferred);
  }
  return listening;
}

io::Task<void> Shard::run_connection(std::unique_ptr<net::Connection> conn) {
  // The one handle: the connection lives in this frame until it is closed and idle.
  co_await conn->run();
}

int Shard::listen_port() const { return acceptors_.empty() ? 0 : acceptors_.front()->port(); }

void Shard::start_accepting() {
  serving_ = true;
  for (size_t i = 0; i < acceptors_.size(); ++i) {
    if (!deferred_[i]) acceptors_[i]->start();
  }
}

void Shard::start_deferred() {
  if (shutting_down_) return;
  for (size_t i = 0; i < acceptors_.size(); ++i) {
    if (deferred_[i]) acceptors_[i]->start();
    deferred_[i] = false;
  }
}

void Shard::on_frame(net::Connection& conn, uint64_t seq, std::vector<uint8_t> frame) {
  if (requests_.spawn(serve(conn, seq, std::move(frame)))) return;
  // Shutting down and no longer serving (begin_shutdown stopped the reading already, so this is
  // rare): unanswered; the answers given before it still go out.
  conn.close_when_sent(net::CloseReason::shutdown);
  conn.respond(seq, {});
}

void Shard::on_closed(net::Connection& conn) {
  connections_.erase(&conn);
  probe_->on_connection_closed(conn.close_reason());
}

void Shard::on_response_sent(int16_t api_key, int64_t received_ns, int64_t ready_ns, int64_t sent_ns) {
  probe_->on_sent(api_key, sent_ns - ready_ns, sent_ns - received_ns);
}

io::Task<void> Shard::serve(net::Connection& conn, uint64_t seq, std::vector<uint8_t> frame) {
  request_bytes_ += frame.size();
  // Metrics (docs/metrics.md): api/version -1 label requests the broker could not attribute
  // (unknown API, unsupported version); the error is what the handler reported in ctx.error.
  const int64_t received_ns = conn.received_ns(seq);
  const int64_t start_ns = metrics::mono_ns();
  int16_t m_api = -1;
  int16_t m_version = -1;
  int16_t m_error = wire(ErrorCode::invalid_request);
  std::vector<uint8_t> out;
  std::vector<protocol::ExternalBytes> external;
  std::vector<ByteBuffer> keep;
  bool close = false;
  bool send = true;
  if (frame.size() < 8) {
    close = true;
  } else {
    int16_t api_key = be16(frame.data());
    int16_t version = be16(frame.data() + 2);
    const ApiHandler* handler = find_handler(api_key);
    const protocol::ApiKeyInfo* info = protocol::find_api_key(api_key);
    // Shared from here on: Produce's appends keep their batches past the request (model/shared_bytes.h).
    auto shared_frame = std::make_shared<std::vector<uint8_t>>(std::move(frame));
    protocol::Reader body(shared_frame->data(), shared_frame->size());
    protocol::RequestHeader header;
    int16_t header_version = info ? protocol::request_header_version(api_key, version) : -1;
    if (handler == nullptr || info == nullptr || header_version < 0 || !header.decode(body, header_version)) {
      RUNNEL_LOG_LIMITED(warn, "closing connection from %s: unknown or malformed request (api key %d version %d)",
                         conn.peer().c_str(), api_key, version);
      close = true;
      if (handler != nullptr && info != nullptr) m_api = api_key;
    } else if (!serves(static_cast<ListenerRole>(conn.listener()), api_key)) {
      // Kafka's socket server: an API the listener does not serve (Produce on the controller
      // listener, Vote on a client listener) closes the connection unanswered.
      RUNNEL_LOG_LIMITED(warn, "closing connection from %s: %s is not served on this listener", conn.peer().c_str(),
                         info->name);
      m_api = api_key;
      close = true;
    } else if (version < handler->min_version || version > handler->max_version) {
      m_api = api_key;
      m_error = wire(ErrorCode::unsupported_version);
      if (api_key == static_cast<int16_t>(protocol::ApiKey::kApiVersions)) {
        // KIP-511: answer an ApiVersions the broker does not know with a v0 response carrying
        // UNSUPPORTED_VERSION and the supported ranges, so the client can pick a version.
        handlers::encode_api_versions_fallback(header.correlation_id, out);
      } else {
        RUNNEL_LOG_LIMITED(warn, "closing connection from %s: unsupported version %d of api key %d",
                           conn.peer().c_str(), version, api_key);
        close = true;
      }
    } else {
      protocol::Writer w(out);
      w.set_external(&external);
      w.write_int32(0);  // frame size, patched below
      w.write_int32(header.correlation_id);
      if (protocol::response_header_version(api_key, version) >= 1) w.write_uvarint(0);  // no tagged fields
      RequestContext ctx{*this,     conn.id(),  api_key, version, header.correlation_id, header.client_id,
                         conn.peer(), std::move(shared_frame)};
      ctx.listener = static_cast<ListenerRole>(conn.listener());
      HandlerStatus status = co_await handler->fn(ctx, body, w);
      m_api = api_key;
      m_version = version;
      m_error = status == HandlerStatus::close ? wire(ErrorCode::invalid_request) : wire(ctx.error);
      if (status == HandlerStatus::close) {
        RUNNEL_LOG_LIMITED(warn, "closing connection from %s: malformed %s v%d request", conn.peer().c_str(),
                           info->name, version);
        close = true;
      } else if (status == HandlerStatus::no_response) {
        send = false;
      } else {
        w.patch_int32(0, static_cast<int32_t>(w.position() - 4));  // external bytes included
        keep = std::move(ctx.keep);
      }
    }
  }
  if (close || !send) {
    if (close) conn.close(net::CloseReason::bad_request);
    out.clear();
    external.clear();
    keep.clear();
  }
  const int64_t done_ns = metrics::mono_ns();
  probe_->on_request(m_api, m_version, m_error);
  probe_->on_processed(m_api, start_ns - received_ns, done_ns - start_ns);
  if (!close && !send) probe_->on_unanswered(m_api, done_ns - received_ns);
  conn.respond(seq, std::move(out), !close && send ? m_api : int16_t{-1}, std::move(external), std::move(keep));
}

io::Task<void> Shard::cleaner_loop() {
  const auto& cfg = broker_.config();
  storage::CleanerConfig cc;
  cc.enable = cfg.log_cleaner_enable;
  cc.threads = cfg.log_cleaner_threads;
  cc.backoff_ms = cfg.log_cleaner_backoff_ms;
  if (cfg.log_cleaner_dedupe_buffer_size > 0) cc.dedupe_buffer_size = cfg.log_cleaner_dedupe_buffer_size;
  if (cfg.log_cleaner_io_buffer_size > 0) cc.io_buffer_size = cfg.log_cleaner_io_buffer_size;
  if (!cc.enable || cc.threads <= 0) co_return;
  const auto backoff = std::chrono::milliseconds(std::max<int64_t>(10, cc.backoff_ms));
  while (!shutting_down_) {
    const int64_t now_ms = log_env_.clock.now_ms();
    std::vector<storage::PartitionLog*> logs;
    for (auto& [key, p] : partitions_) logs.push_back(&p->log());
    // Only the chosen log is used after the first suspension; close() waits for its cleaning.
    const int64_t started_ns = metrics::mono_ns();
    storage::CleanResult r = co_await storage::clean_filthiest(logs, cc, now_ms);
    if (shutting_down_) break;
    if (r.status == storage::CleanResult::Status::cleaned) {
      RUNNEL_LOG(info,
                 "log cleaner: %zu segments into %zu, %lld records removed, %lld -> %lld bytes, checkpoint %lld, %lld ms",
                 r.segments_replaced, r.groups_swapped, static_cast<long long>(r.stats.records_removed),
                 static_cast<long long>(r.stats.bytes_read), static_cast<long long>(r.stats.bytes_written),
                 static_cast<long long>(r.new_checkpoint),
                 static_cast<long long>((metrics::mono_ns() - started_ns) / 1'000'000));
      if (r.groups_swapped > 0) continue;  // Kafka's cleaner thread looks for more work at once
    }
    if (r.status == storage::CleanResult::Status::failed) {
      RUNNEL_LOG(error, "log cleaner: %s", r.message.c_str());
    }
    co_await stop_.sleep_for(backoff);
  }
}

void Shard::start_loops() {
  loops_.spawn(housekeeping_loop());
  loops_.spawn(observability_loop());
  loops_.spawn(groups().run());
}

io::Task<void> Shard::housekeeping_loop() {
  loops_.spawn(cleaner_loop());
  loops_.spawn(heap_trim_loop());
  const auto& cfg = broker_.config();
  auto interval = std::chrono::milliseconds(std::max<int64_t>(10, std::min<int64_t>(cfg.log_retention_check_interval_ms, 1000)));
  auto next_retention = io::Clock::now() + std::chrono::milliseconds(cfg.log_retention_check_interval_ms);
  while (!shutting_down_) {
    co_await stop_.sleep_for(interval);
    if (shutting_down_) break;
    const int64_t now_ms = log_env_.clock.now_ms();
    for (auto& [key, p] : partitions_) p->log().maybe_flush(now_ms);
    if (io::Clock::now() >= next_retention) {
      next_retention = io::Clock::now() + std::chrono::milliseconds(cfg.log_retention_check_interval_ms);
      // Partitions may be added or removed while retention runs: walk a snapshot of the keys
      // and look each one up again.
      std::vector<std::string> keys;
      keys.reserve(partitions_.size());
      for (auto& [key, p] : partitions_) keys.push_back(key);
      for (const std::string& key : keys) {
        auto it = partitions_.find(key);
        if (it == partitions_.end() || shutting_down_) continue;
        // Inside the partition's gate: its removal or close waits for this pass to end.
        cluster::Partition& p = *it->second;
        io::Gate::Holder inside(p.gate());
        if (!inside.ok()) continue;
        co_await p.log().enforce_retention(now_ms);
      }
    }
  }
}

io::Task<void> Shard::heap_trim_loop() {
  // A burst of large requests (1 MB produce frames, staging for many partitions' writes) grows
  // the heap, and glibc keeps what was freed: RSS would stay at the burst's peak for good. Once
  // a tick passes with little traffic after a lot of it, malloc_trim hands the free pages back.
  // It runs on a helper thread: it walks the heap and madvises, which is not ring-thread work.
  constexpr auto kTick = std::chrono::milliseconds(200);
  constexpr uint64_t kQuietBytes = 1u << 20;   // per tick: below this, the burst is over
  constexpr uint64_t kBurstBytes = 64u << 20;  // since the last trim: enough to be worth one
  auto trim = [] { return ::malloc_trim(0); };
  while (!shutting_down_) {
    co_await stop_.sleep_for(kTick);
    if (shutting_down_) break;
    const bool quiet = request_bytes_ - request_bytes_at_tick_ < kQuietBytes;
    request_bytes_at_tick_ = request_bytes_;
    if (!quiet || requests_.alive() > 0 || request_bytes_ - request_bytes_at_trim_ < kBurstBytes) continue;
    request_bytes_at_trim_ = request_bytes_;
    co_await io::run_blocking(ring_, trim);
  }
}

io::Task<void> Shard::cut_off_connections(io::AbortSource& grace) {
  constexpr auto kCloseGrace = std::chrono::seconds(1);
  co_await grace.sleep_for(kCloseGrace);
  if (grace.aborted()) co_return;  // every connection closed in time
  std::vector<net::Connection*> conns(connections_.begin(), connections_.end());
  for (net::Connection* c : conns) c->close(net::CloseReason::shutdown);
}

void Shard::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  for (auto& a : acceptors_) a->stop();
  stop_.abort();
  append_watch_.stop();
  if (groups_) groups_->stop();
  // No new requests: each connection closes once the answers to those it has are on the wire.
  std::vector<net::Connection*> conns(connections_.begin(), connections_.end());
  for (net::Connection* c : conns) c->close_when_sent(net::CloseReason::shutdown);
}

io::Task<void> Shard::shutdown() {
  begin_shutdown();
  // Every request is answered: begin_shutdown() (on every core) cut the long waits short.
  co_await requests_.close();
  // The answers reach the wire before the sockets close, unless a peer does not read them
  // within kCloseGrace (cut_off_connections). Then every connection's SQEs have completed and
  // it is freed.
  io::AbortSource grace(ring_);
  loops_.spawn(cut_off_connections(grace));
  co_await connection_tasks_.close();
  grace.abort();
  // A reconciliation still opening partitions inserts them before it ends (begin_shutdown
  // stopped any further pass), so that they are closed below with the others.
  co_await reconcile_tasks_.close();
  // Closing a log also stops its cleaning, which the cleaner loop may be waiting for.
  for (auto& [key, p] : partitions_) {
    co_await p->gate().close();
    co_await p->log().close();
  }
  co_await loops_.close();
  partitions_.clear();
}

}  // namespace runnel::server
