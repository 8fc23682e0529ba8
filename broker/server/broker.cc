#include "broker/server/broker.h"

#include "broker/cluster/meta_properties.h"

#include <netdb.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

#include "broker/admin/admin_server.h"
#include "broker/log/log.h"
#include "broker/net/acceptor.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker_lifecycle.h"
#include "broker/server/controller.h"
#include "broker/server/quorum_controller.h"
#include "broker/server/quorum_membership.h"
#include "broker/server/cross_call.h"
#include "broker/server/group_service.h"
#include "broker/server/shard.h"

namespace runnel::server {

namespace {

// How long start-up waits for a listener port held by a broker that is still going away.
constexpr int kPortWaitSeconds = 10;

constexpr int64_t kProducerIdBlock = 1000;

// Kafka advertises the canonical host name when a listener has no host; fall back to
// localhost where the machine's own name does not resolve (common in sandboxes).
std::string default_advertised_host() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) == 0) {
    addrinfo* res = nullptr;
    if (getaddrinfo(name, nullptr, nullptr, &res) == 0) {
      freeaddrinfo(res);
      return name;
    }
  }
  return "localhost";
}

// Start-up and shutdown barriers between the shard threads and the main thread: each thread
// arrives once; a waiter sleeps on the counter (C++20 atomic wait, a futex) until it reaches
// its target. No polling.
void arrive(std::atomic<int>& counter) {
  counter.fetch_add(1);
  counter.notify_all();
}

void wait_for(std::atomic<int>& counter, int target) {
  for (int seen = counter.load(); seen < target; seen = counter.load()) counter.wait(seen);
}

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

struct StopRing final : io::Completion {
  void complete(int32_t, uint32_t) override { io::Ring::current()->stop(); }
};

}  // namespace

Broker::Broker(config::BrokerConfig config) : config_(std::move(config)), store_(config_.log_dirs.front()) {}

Broker::~Broker() = default;

void Broker::start_quorum(io::Ring& ring, Shard& shard) {
  quorum_ = std::make_unique<quorum::QuorumDriver>(ring, shard.files(), *quorum_options_, std::move(*quorum_recovered_));
  quorum_recovered_.reset();
  quorum_controller_ = std::make_unique<QuorumController>(*this, *quorum_);
  controller_->set_quorum(quorum_controller_.get());
  const auto& roles = config_.process_roles;
  const bool broker_role = std::find(roles.begin(), roles.end(), "broker") != roles.end();
  // A controller-only node registers no broker (Kafka's dedicated controllers are not brokers).
  if (broker_role) lifecycle_ = std::make_unique<BrokerLifecycle>(*this, *quorum_, *quorum_controller_);
  quorum_->start();
  quorum_controller_->start();
  if (lifecycle_) lifecycle_->start();
}

void Broker::on_unfenced() {
  if (client_listeners_open_) return;
  client_listeners_open_ = true;
  RUNNEL_LOG(info, "broker %d is unfenced: client listeners open", config_.node_id.value());
  Shard& home = shard(0);
  home.spawn_background([](Broker& b, Shard& h) -> io::Task<void> {
    for (int i = 0; i < b.shard_count(); ++i) {
      Shard& other = b.shard(i);
      co_await on(h.ring(), other.ring(), [&other]() -> io::Task<bool> {
        other.start_deferred();
        co_return true;
      });
    }
    b.probe().mark_ready();
  }(*this, home));
}

io::Task<void> Broker::stop_quorum() {
  if (!quorum_) co_return;
  // Leadership moves away while this broker still serves (Kafka's controlled shutdown)...
  if (lifecycle_) {
    co_await lifecycle_->shut_down(std::chrono::milliseconds(5000));
    co_await lifecycle_->stop();
  }
  co_await quorum_controller_->stop();
  // ...then a quorum leader hands over, so the other voters elect a successor at once.
  co_await quorum_->stop(std::chrono::milliseconds(1000));
}

bool Broker::prepare_quorum() {
  Result<std::optional<QuorumMembership>, std::string> membership = resolve_quorum_membership(config_, advertised_host_);
  if (!membership) {
    RUNNEL_LOG(error, "cannot start the metadata quorum: %s", membership.error().c_str());
    return false;
  }
  if (!membership->has_value()) return true;
  const std::vector<config::QuorumVoter>& voters = (*membership)->voters;
  if ((*membership)->standalone) apply_standalone_defaults(config_);
  // A voter takes part in elections; any other node (a broker-only node, process.roles=broker)
  // follows the metadata log as an observer.
  bool listed = std::any_of(voters.begin(), voters.end(), [&](const config::QuorumVoter& v) { return v.id == config_.node_id; });
  if (listed && !config_.is_controller()) {
    RUNNEL_LOG(error, "node.id %d is a voter of the controller quorum, but process.roles has no controller",
               config_.node_id.value());
    return false;
  }
  const bool dynamic = (*membership)->dynamic;
  if (config_.is_controller() && !listed && !dynamic) {
    RUNNEL_LOG(error, "node.id %d has the controller role but is not a voter of the controller quorum (%zu voters)",
               config_.node_id.value(), voters.size());
    return false;
  }
  auto options = std::make_unique<quorum::QuorumOptions>();
  options->raft.node_id = config_.node_id;
  for (const config::QuorumVoter& v : voters) options->raft.voters.push_back(v.id);
  options->raft.cluster_id = initial_image_->cluster_id;
  options->raft.election_timeout_ms = config_.controller_quorum_election_timeout_ms;
  options->raft.fetch_timeout_ms = config_.controller_quorum_fetch_timeout_ms;
  options->raft.request_timeout_ms = config_.controller_quorum_request_timeout_ms;
  options->raft.election_backoff_max_ms = config_.controller_quorum_election_backoff_max_ms;
  options->raft.retry_backoff_ms = config_.controller_quorum_retry_backoff_ms;
  options->voters = voters;
  if (!config_.controller_listener_names.empty()) options->listener_name = config_.controller_listener_names.front();
  if (dynamic) {
    // KIP-853: the voters start from `voters` (maybe none: this node joins) and follow the log.
    options->raft.dynamic = true;
    std::vector<raft::Voter> bootstrap;
    for (const config::QuorumVoter& v : voters) {
      raft::Voter rv{.id = v.id, .directory_id = v.directory_id.value_or(Uuid{})};
      rv.endpoints.push_back({options->listener_name, v.host, static_cast<uint16_t>(v.port)});
      bootstrap.push_back(std::move(rv));
    }
    options->raft.bootstrap_voters = raft::VoterSet(std::move(bootstrap));
    auto meta = cluster::read_meta_properties(config_.metadata_log_dir);
    if (meta && meta->has_value()) options->raft.directory_id = (*meta)->directory_id;
    if (config_.is_controller()) {
      config::QuorumVoter self = self_voter(config_, advertised_host_);
      options->raft.endpoints.push_back({options->listener_name, self.host, static_cast<uint16_t>(self.port)});
    }
    int32_t synthetic = -2;  // Kafka numbers bootstrap servers -2, -3, ...
    for (const std::string& s : config_.controller_quorum_bootstrap_servers) {
      std::optional<net::PeerAddress> a = net::PeerAddress::parse(s);
      if (!a) {
        RUNNEL_LOG(error, "controller.quorum.bootstrap.servers: %s is not host:port", s.c_str());
        return false;
      }
      options->bootstrap_servers.push_back(*a);
      options->raft.bootstrap_servers.push_back(NodeId{synthetic--});
    }
  }
  options->partition_dir = config_.metadata_log_dir + "/__cluster_metadata-0";
  Result<quorum::Recovered, std::string> recovered = quorum::recover(*options);
  if (!recovered) {
    RUNNEL_LOG(error, "cannot start the metadata quorum: %s", recovered.error().c_str());
    return false;
  }
  quorum_recovered_ = std::make_unique<quorum::Recovered>(std::move(recovered).value());
  quorum_options_ = std::move(options);
  return true;
}

int Broker::owner_of(const std::string& topic, int32_t partition) const {
  size_t h = std::hash<std::string>{}(topic) * 31 + static_cast<size_t>(partition);
  return static_cast<int>(h % shards_.size());
}

int Broker::run() {
  auto started_at = std::chrono::steady_clock::now();
  auto image = std::make_shared<cluster::MetadataImage>();
  if (auto loaded = store_.load(config_, *image, producer_id_block_end_); !loaded) {
    RUNNEL_LOG(error, "cannot load cluster metadata: %s", loaded.error().c_str());
    return 1;
  }
  // Reserve a fresh block of producer ids for this incarnation before handing any out.
  int64_t first_producer_id = producer_id_block_end_;
  producer_id_block_end_ += kProducerIdBlock;
  if (auto saved = store_.save_blocking(*image, producer_id_block_end_); !saved) {
    RUNNEL_LOG(error, "cannot persist cluster metadata: %s", saved.error().c_str());
    return 1;
  }

  const auto& advertised = config_.advertised_listeners.empty() ? config_.listeners : config_.advertised_listeners;
  cluster::BrokerInfo self;
  self.node_id = config_.node_id;
  advertised_host_ = default_advertised_host();
  self.host = advertised.front().host.empty() ? advertised_host_ : advertised.front().host;
  self.port = advertised.front().port;
  self.rack = config_.broker_rack;
  image->brokers = {self};
  image->controller_id = config_.node_id;
  initial_image_ = image;
  if (!prepare_quorum()) return 1;
  if (quorum_options_) {
    // The metadata log is the source of truth: nothing is served until its image is applied
    // (server/quorum_controller.h), and the local metadata file's topics are not used, except
    // once, by a lone voter whose quorum has no topics yet (QuorumController::import_legacy).
    legacy_image_ = std::make_shared<cluster::MetadataImage>(*image);
    legacy_producer_id_end_ = producer_id_block_end_;
    image->topics.clear();
    image->name_by_id.clear();
    image->brokers.clear();
    image->controller_id = NodeId{-1};
  }
  controller_ = std::make_unique<Controller>(*this, initial_image_, first_producer_id);
  controller_->set_producer_id_block_end(producer_id_block_end_);

  int cores = config_.runnel_cores > 0 ? config_.runnel_cores : static_cast<int>(std::thread::hardware_concurrency());
  if (cores <= 0) cores = 1;
  if (cores > 64) cores = 64;  // partition watcher masks are 64 bits wide

  // Signals are consumed by shard 0 through a signalfd; every thread must have them blocked.
  sigset_t set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Every core binds the listeners with SO_REUSEPORT, which a second broker of the same user
  // could join unnoticed (half the connections would reach it): refuse taken ports first. A
  // port still held by a broker that was just killed is waited for a while: the kernel tears
  // down a dead process's io_uring (and the listening socket its armed accept holds) only after
  // the disk writes in flight complete.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(kPortWaitSeconds);
  for (const auto* endpoints : {&config_.listeners, &config_.admin_listeners}) {
    for (const config::Endpoint& l : *endpoints) {
      for (bool warned = false;;) {
        Result<void, std::string> available = net::Acceptor::check_free(l.host, l.port);
        if (available) break;
        if (std::chrono::steady_clock::now() >= give_up) {
          RUNNEL_LOG(error, "cannot listen on %s:%d: %s", l.host.c_str(), l.port, available.error().c_str());
          return 1;
        }
        if (!warned) {
          RUNNEL_LOG(warn, "%s:%d is in use; waiting up to %d s for it to be released", l.host.c_str(), l.port,
                     kPortWaitSeconds);
          warned = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  // The admin API starts before recovery (so /readyz can answer "not yet") and after the
  // signal mask (its threads inherit it).
  probe_.init(cores);
  probe_.mark_metadata_loaded(initial_image_->cluster_id);
  admin::AdminServer::Options admin_options;
  admin_options.liveness_timeout_ms = config_.admin_liveness_timeout_ms;
  admin_options.max_partition_series = config_.metrics_partition_series_max;
  admin_options.test_hooks = config_.admin_test_hooks_enable;
  admin_ = std::make_unique<admin::AdminServer>(config_, probe_, admin_options);
  if (Result<void, std::string> started = admin_->start(); !started) {
    RUNNEL_LOG(error, "%s", started.error().c_str());
    return 1;
  }

  shards_.assign(static_cast<size_t>(cores), nullptr);
  std::vector<std::thread> threads;
  for (int i = 0; i < cores; ++i) threads.emplace_back([this, i] { shard_main(i); });
  wait_for(started_, cores);  // all shards constructed
  wait_for(started_, 2 * cores);  // all partitions recovered and listeners bound
  if (!start_failed_) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_at).count();
    RUNNEL_LOG(info, "runnel-broker node %d started on port %d with %d cores in %lld ms (cluster id %s)",
               config_.node_id.value(), bound_port_.load(), cores, static_cast<long long>(ms), initial_image_->cluster_id.c_str());
  }
  for (auto& t : threads) t.join();
  admin_->stop();
  RUNNEL_LOG(info, "runnel-broker stopped");
  return start_failed_ ? 1 : 0;
}

void Broker::shard_main(int index) {
  metrics::bind_this_shard_probe(&probe_.shard(index));
  io::Ring ring;
  Shard shard(*this, index, ring);
  shards_[static_cast<size_t>(index)] = &shard;
  arrive(started_);
  wait_for(started_, shard_count());

  ring.block_on(shard.install_image(initial_image_));
  for (const auto& l : config_.listeners) {
    const auto& names = config_.controller_listener_names;
    bool controller_listener = std::find(names.begin(), names.end(), l.name) != names.end();
    ListenerRole role = names.empty() ? ListenerRole::any : controller_listener ? ListenerRole::controller : ListenerRole::broker;
    Result<void, std::string> listening =
        shard.listen(l.host, l.port, 1024, quorum_options_ && !controller_listener, role);
    if (!listening) {
      RUNNEL_LOG(error, "cannot listen on %s:%d: %s", l.host.c_str(), l.port, listening.error().c_str());
      start_failed_ = true;
    }
  }
  if (index == 0) bound_port_ = shard.listen_port();
  arrive(started_);
  wait_for(started_, 2 * shard_count());

  StopRing stop_self;
  if (start_failed_) {
    ring.block_on(shard.shutdown());
  } else {
    shard.start_accepting();
    if (accepting_.fetch_add(1) + 1 == shard_count() && !quorum_options_) probe_.mark_ready();
    shard.start_loops();
    if (index == 0 && quorum_recovered_) start_quorum(ring, shard);
    if (index == 0) {
      ring.spawn([](Broker& b, Shard& s, StopRing& stop) -> io::Task<void> {
        sigset_t set = shutdown_signals();
        int sfd = signalfd(-1, &set, SFD_CLOEXEC);
        signalfd_siginfo info{};
        co_await s.ring().read(sfd, &info, sizeof(info), 0);
        RUNNEL_LOG(info, "received signal %u, shutting down", info.ssi_signo);
        b.probe().mark_stopping();
        co_await b.stop_quorum();
        // Every core stops accepting and wakes what waits (long polls, group joins), so that a
        // request waiting on another core's coordinator is answered before that core's turn...
        for (int i = 0; i < b.shard_count(); ++i) {
          Shard& other = b.shard(i);
          co_await on(s.ring(), other.ring(), [&other]() -> io::Task<bool> {
            other.begin_shutdown();
            co_return true;
          });
        }
        // ...then every core finishes its requests, closes its logs and joins its loops...
        for (int i = 0; i < b.shard_count(); ++i) {
          Shard& other = b.shard(i);
          co_await on(s.ring(), other.ring(), [&other]() -> io::Task<bool> {
            co_await other.shutdown();
            co_return true;
          });
        }
        // ...then every loop stops.
        for (int i = 1; i < b.shard_count(); ++i) s.ring().send_msg(b.shard(i).ring(), &stop, 0);
        s.ring().stop();
      }(*this, shard, stop_self));
    }
    ring.run();
    if (index == 0) {
      lifecycle_.reset();
      quorum_controller_.reset();
      quorum_.reset();
    }
  }
  // Hand over any queued cross-ring messages before leaving the loop for good.
  io_uring_submit(ring.raw());
  arrive(stopped_);
  wait_for(stopped_, shard_count());  // no ring is destroyed while another may still message it
}

}  // namespace runnel::server
