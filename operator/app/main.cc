// runnel-operator: reconciles RunnelCluster and RunnelTopic resources.
//
// Startup order: flags -> API config (kubeconfig or in-cluster) -> metrics and health endpoints
// -> controllers registered with the manager -> manager (informers, optional leader election,
// workers once synced and leading). SIGTERM/SIGINT stop it gracefully: the workers finish their
// current reconcile and the lease is released so a standby replica takes over at once. Losing
// the lease exits with status 1 (the Deployment restarts the pod, which relists and re-elects).

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include "broker/log/log.h"
#include "operator/app/controllers.h"
#include "operator/app/flags.h"
#include "operator/app/health_server.h"
#include "operator/kube/config.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/http_api.h"
#include "operator/kube/manager.h"
#include "operator/kube/metrics.h"

#ifndef RUNNEL_VERSION
#define RUNNEL_VERSION "dev"
#endif

namespace {

using namespace runnel;

std::atomic<bool> g_lost_leadership{false};
// run() result: leadership was lost (renewal failed, e.g. the API server was down for longer
// than the renew deadline). Every worker has stopped by then, so starting over is safe.
constexpr int kLostLeadership = 3;

int run(const operator_app::Flags& flags) {
  kube::ConfigLoad cfg = kube::load_config(flags.kubeconfig);
  if (!cfg) {
    RUNNEL_LOG(error, "%s", cfg.error().c_str());
    return 1;
  }
  auto created = kube::HttpApi::create(*cfg, {});
  if (!created) {
    RUNNEL_LOG(error, "%s", created.error().c_str());
    return 1;
  }
  std::unique_ptr<kube::HttpApi> api = std::move(created).value();
  RUNNEL_LOG(info, "runnel-operator %s: API server %s (%s)", RUNNEL_VERSION,
             cfg->server.c_str(), cfg->origin.c_str());

  kube::OperatorMetrics metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  // Both addresses were checked by parse_flags.
  operator_app::BindAddress bind = operator_app::parse_bind_address(flags.metrics_bind_address).value();
  if (bind.port > 0) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(bind.host + ":" + std::to_string(bind.port));
      exposer->RegisterCollectable(metrics.registry());
    } catch (const std::exception& e) {
      RUNNEL_LOG(error, "metrics on %s: %s",
                 flags.metrics_bind_address.c_str(), e.what());
      return 1;
    }
  }

  kube::ManagerOptions options;
  options.namespaces = flags.namespaces;
  options.workers_per_controller = flags.workers;
  options.leader_elect = flags.leader_elect;
  options.leader_election.ns = flags.leader_election_namespace.empty()
                                   ? cfg->ns
                                   : flags.leader_election_namespace;
  options.leader_election.name = flags.leader_election_id;
  options.leader_election.identity = kube::default_identity();
  options.on_lost_leadership = [] { g_lost_leadership = true; };
  kube::Manager manager(*api, options, &metrics);
  kube::ApiEventRecorder events(*api);
  operator_app::register_controllers(manager, *api, events,
                                     {cfg->ns, std::chrono::seconds(flags.resync_seconds)});

  operator_app::HealthServer health([&] { return manager.healthy(); },
                                    [&] { return manager.caches_synced(); });
  bind = operator_app::parse_bind_address(flags.health_probe_bind_address).value();
  if (bind.port > 0 && !health.start(bind.host, bind.port)) {
    RUNNEL_LOG(error, "cannot bind health probes to %s",
               flags.health_probe_bind_address.c_str());
    return 1;
  }

  manager.start();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int code = 0;
  for (;;) {
    timespec tick{0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      RUNNEL_LOG(info, "signal %d, stopping", sig);
      break;
    }
    if (g_lost_leadership) {
      RUNNEL_LOG(warn, "lost leadership, starting over as a candidate");
      code = kLostLeadership;
      break;
    }
  }
  manager.stop();
  health.stop();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals before any thread starts so that only sigtimedwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  operator_app::FlagParse parsed =
      operator_app::parse_flags(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::fprintf(stderr, "runnel-operator: %s\n%s", parsed.error().c_str(),
                 operator_app::usage().c_str());
    return 2;
  }
  if (parsed->help) {
    std::fputs(operator_app::usage().c_str(), stdout);
    return 0;
  }
  if (parsed->version) {
    std::printf("runnel-operator %s\n", RUNNEL_VERSION);
    return 0;
  }
  // controller-runtime exits when it loses the lease and relies on the pod being restarted.
  // Starting over in-process gives the same clean slate (fresh caches, queues and connections;
  // run() joins every thread before it returns) without depending on a supervisor, so an
  // operator run by hand outside a cluster survives an API-server outage too.
  for (;;) {
    g_lost_leadership = false;
    int code = run(*parsed);
    if (code != kLostLeadership) return code;
  }
}
