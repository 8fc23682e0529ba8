#include "operator/kube/manager.h"

#include <exception>

#include "broker/log/log.h"
#include "operator/kube/http_api.h"

namespace runnel::kube {
namespace {

std::string type_key(const ResourceType& t) { return t.api_version() + "/" + t.plural; }

ObjectKey key_of(const Json& obj) {
  const Json& meta = obj.value("metadata", Json::object());
  return {meta.value("namespace", ""), meta.value("name", "")};
}

}  // namespace

Manager::Manager(HttpApi& api, ManagerOptions options, OperatorMetrics* metrics)
    : api_(api), options_(std::move(options)), metrics_(metrics) {}

Manager::~Manager() { stop(); }

Manager::TypeInformers& Manager::informers_for(const ResourceType& type) {
  auto [it, inserted] = informers_.try_emplace(type_key(type));
  TypeInformers& ti = it->second;
  if (!inserted) return ti;
  ti.type = type;
  InformerOptions io = options_.informer;
  if (metrics_) {
    metrics_->register_watch(type.plural);
    io.on_watch_restart = [m = metrics_, r = type.plural] { m->watch_restart(r); };
  }
  std::vector<std::string> namespaces = options_.namespaces;
  if (namespaces.empty() || !type.namespaced) namespaces = {""};
  std::vector<const Store*> parts;
  for (const std::string& ns : namespaces) {
    ti.per_namespace.push_back(std::make_unique<Informer>(api_, type, ns, io));
    parts.push_back(&ti.per_namespace.back()->store());
  }
  ti.store = std::make_unique<MultiStore>(std::move(parts));
  return ti;
}

const Store& Manager::store(const ResourceType& type) { return *informers_for(type).store; }

void Manager::add(std::unique_ptr<Reconciler> reconciler) {
  auto c = std::make_unique<Controller>();
  c->queue = std::make_unique<WorkQueue>(options_.queue);
  WorkQueue* q = c->queue.get();
  Reconciler* r = reconciler.get();
  c->reconciler = std::move(reconciler);
  if (metrics_) metrics_->register_controller(r->name());

  auto enqueue_self = [q](const Json& o) { q->add(key_of(o)); };
  for (auto& inf : informers_for(r->primary()).per_namespace)
    inf->add_handler({enqueue_self, [q](const Json&, const Json& o) { q->add(key_of(o)); },
                      enqueue_self});
  for (const ResourceType& t : r->watches()) {
    auto enqueue_owners = [q, r, t](const Json& o) {
      for (const ObjectKey& k : r->map_secondary(t, o)) q->add(k);
    };
    for (auto& inf : informers_for(t).per_namespace)
      inf->add_handler({enqueue_owners,
                        [enqueue_owners](const Json& old_obj, const Json& new_obj) {
                          enqueue_owners(old_obj);
                          enqueue_owners(new_obj);
                        },
                        enqueue_owners});
  }
  controllers_.push_back(std::move(c));
}

void Manager::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return;
    started_ = true;
  }
  for (auto& [k, ti] : informers_)
    for (auto& inf : ti.per_namespace) inf->start();
  if (options_.leader_elect) {
    LeaderCallbacks cb;
    cb.on_started_leading = [this] {
      if (metrics_) metrics_->set_leader(true);
      cv_.notify_all();
    };
    cb.on_stopped_leading = [this] { lost_leadership(); };
    elector_ = std::make_unique<LeaderElector>(api_, options_.leader_election, std::move(cb));
    elector_->start();
  } else if (metrics_) {
    metrics_->set_leader(true);
  }
  control_ = std::thread([this] { control_loop(); });
}

void Manager::lost_leadership() {
  if (metrics_) metrics_->set_leader(false);
  bool stopping;
  {
    std::lock_guard lock(mu_);
    stopping = stopping_;
  }
  if (stopping) return;  // a release during stop() is not a loss
  lost_ = true;
  for (auto& c : controllers_) c->queue->shutdown();
  if (options_.on_lost_leadership) options_.on_lost_leadership();
}

bool Manager::caches_synced() const {
  for (const auto& [k, ti] : informers_)
    for (const auto& inf : ti.per_namespace)
      if (!inf->has_synced()) return false;
  return true;
}

bool Manager::healthy() const {
  for (const auto& [k, ti] : informers_)
    for (const auto& inf : ti.per_namespace)
      if (!inf->healthy()) return false;
  return true;
}

bool Manager::leading() const { return !options_.leader_elect || (elector_ && elector_->is_leader()); }

size_t Manager::queue_depth(const std::string& controller) {
  for (auto& c : controllers_)
    if (c->reconciler->name() == controller) return c->queue->depth();
  return 0;
}

void Manager::control_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!workers_started_ && !lost_ && leading() && caches_synced()) {
      lock.unlock();
      start_workers();
      lock.lock();
      continue;
    }
    if (metrics_)
      for (auto& c : controllers_)
        metrics_->set_queue_depth(c->reconciler->name(), static_cast<double>(c->queue->depth()));
    cv_.wait_for(lock, std::chrono::milliseconds(workers_started_ ? 1000 : 50));
  }
}

void Manager::start_workers() {
  for (auto& c : controllers_) {
    RUNNEL_LOG(info, "manager: starting %d worker(s) for %s",
               options_.workers_per_controller, c->reconciler->name().c_str());
    for (int i = 0; i < std::max(1, options_.workers_per_controller); ++i)
      c->workers.emplace_back([this, ctl = c.get()] { worker(*ctl); });
  }
  workers_started_ = true;
}

void Manager::worker(Controller& c) {
  const std::string name = c.reconciler->name();
  while (auto key = c.queue->get()) {
    auto t0 = std::chrono::steady_clock::now();
    ReconcileResult res;
    try {
      res = c.reconciler->reconcile(*key);
    } catch (const std::exception& e) {
      res = ReconcileResult::failed(std::string("exception: ") + e.what());
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ReconcileOutcome outcome = ReconcileOutcome::kSuccess;
    if (res.error) {
      outcome = ReconcileOutcome::kError;
      RUNNEL_LOG(warn, "%s %s/%s: reconcile failed (retry in %lld ms): %s", name.c_str(),
                 key->ns.c_str(), key->name.c_str(),
                 static_cast<long long>(c.queue->next_backoff(*key).count()),
                 res.error_message.c_str());
      c.queue->add_rate_limited(*key);
    } else if (res.requeue_after.count() > 0) {
      outcome = ReconcileOutcome::kRequeue;
      c.queue->forget(*key);
      c.queue->add_after(*key, res.requeue_after);
    } else {
      c.queue->forget(*key);
    }
    c.queue->done(*key);
    if (metrics_) metrics_->reconciled(name, outcome, seconds);
  }
}

void Manager::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !started_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  if (control_.joinable()) control_.join();
  for (auto& c : controllers_) c->queue->shutdown();
  for (auto& c : controllers_)
    for (auto& t : c->workers) t.join();
  if (elector_) elector_->stop();  // after the workers: no reconcile runs without the lease
  for (auto& [k, ti] : informers_)
    for (auto& inf : ti.per_namespace) inf->stop();
}

}  // namespace runnel::kube
