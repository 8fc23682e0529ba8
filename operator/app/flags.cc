#include "operator/app/flags.h"

#include <cstdlib>

namespace runnel::operator_app {
namespace {

void add_namespaces(const std::string& value, std::vector<std::string>* out) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string ns = value.substr(start, comma - start);
    if (!ns.empty()) out->push_back(ns);
    start = comma + 1;
  }
}

bool parse_bool(const std::string& v, bool* out) {
  if (v == "true" || v == "1") *out = true;
  else if (v == "false" || v == "0") *out = false;
  else return false;
  return true;
}

}  // namespace

std::string usage() {
  return "Usage: runnel-operator [flags]\n"
         "  --kubeconfig PATH                  kubeconfig file (default $KUBECONFIG, else in-cluster)\n"
         "  --namespace NS[,NS...]             namespaces to watch, repeatable (default: all)\n"
         "  --metrics-bind-address ADDR        Prometheus /metrics (default :8080, 0 disables)\n"
         "  --health-probe-bind-address ADDR   /healthz and /readyz (default :8081, 0 disables)\n"
         "  --leader-elect                     elect a leader with a Lease before reconciling\n"
         "  --leader-election-namespace NS     namespace of the Lease (default: own namespace)\n"
         "  --leader-election-id NAME          name of the Lease (default runnel-operator)\n"
         "  --workers N                        reconcile threads per controller (default 1)\n"
         "  --resync-period SECONDS            re-reconcile every object this often to correct\n"
         "                                     drift (default: clusters 30, topics 60)\n"
         "  --version                          print the version and exit\n"
         "  --help                             print this help and exit\n";
}

FlagParse parse_flags(const std::vector<std::string>& args) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool has_value = false;
    if (arg.rfind("--", 0) != 0) return Unexpected("unexpected argument: " + arg);
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto bool_flag = [&](bool* target) -> bool {
      if (!has_value) return *target = true;
      return parse_bool(value, target);
    };
    if (arg == "--help" || arg == "--version" || arg == "--leader-elect") {
      bool* target = arg == "--help" ? &f.help : arg == "--version" ? &f.version : &f.leader_elect;
      if (!bool_flag(target)) return Unexpected("invalid boolean for " + arg + ": " + value);
      continue;
    }
    static const char* kValued[] = {"--kubeconfig", "--namespace", "--metrics-bind-address",
                                    "--health-probe-bind-address", "--leader-election-namespace",
                                    "--leader-election-id", "--workers", "--resync-period"};
    bool known = false;
    for (const char* k : kValued) known = known || arg == k;
    if (!known) return Unexpected("unknown flag: " + arg);
    if (!has_value) {
      if (i + 1 >= args.size()) return Unexpected(arg + " needs a value");
      value = args[++i];
    }
    if (arg == "--kubeconfig") f.kubeconfig = value;
    else if (arg == "--namespace") add_namespaces(value, &f.namespaces);
    else if (arg == "--metrics-bind-address") f.metrics_bind_address = value;
    else if (arg == "--health-probe-bind-address") f.health_probe_bind_address = value;
    else if (arg == "--leader-election-namespace") f.leader_election_namespace = value;
    else if (arg == "--leader-election-id") f.leader_election_id = value;
    else if (arg == "--workers") {
      f.workers = std::atoi(value.c_str());
      if (f.workers < 1 || f.workers > 64) return Unexpected("--workers must be 1..64");
    } else if (arg == "--resync-period") {
      std::string v = value;
      if (!v.empty() && v.back() == 's') v.pop_back();  // "60s" as controller-runtime writes it
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1 || n > 86400)
        return Unexpected("--resync-period must be 1..86400 seconds: " + value);
      f.resync_seconds = static_cast<int>(n);
    } else {
      return Unexpected("unknown flag: " + arg);
    }
  }
  if (!parse_bind_address(f.metrics_bind_address))
    return Unexpected("invalid --metrics-bind-address " + f.metrics_bind_address);
  if (!parse_bind_address(f.health_probe_bind_address))
    return Unexpected("invalid --health-probe-bind-address " + f.health_probe_bind_address);
  return f;
}

std::optional<BindAddress> parse_bind_address(const std::string& s) {
  if (s == "0") return BindAddress{"", 0};
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = s.substr(0, colon);
  std::string port = s.substr(colon + 1);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  int p = std::atoi(port.c_str());
  if (p <= 0 || p > 65535) return std::nullopt;
  if (host.empty()) host = "0.0.0.0";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return BindAddress{host, p};
}

}  // namespace runnel::operator_app
