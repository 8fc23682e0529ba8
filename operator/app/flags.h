#pragma once
// Command-line flags of runnel-operator (controller-runtime's names where they exist).

#include <optional>
#include <string>
#include <vector>

#include "broker/model/result.h"

namespace runnel::operator_app {

struct Flags {
  std::string kubeconfig;               // --kubeconfig; else $KUBECONFIG; else in-cluster
  std::vector<std::string> namespaces;  // --namespace (repeatable, comma lists); empty = all
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";
  bool leader_elect = false;
  std::string leader_election_namespace;  // default: the operator's own namespace
  std::string leader_election_id = "runnel-operator";
  int workers = 1;  // --workers: reconcile threads per controller
  int resync_seconds = 0;  // --resync-period: periodic drift correction; 0 = controller defaults
  bool help = false;
  bool version = false;
};

// The flags, or what is wrong with the command line.
using FlagParse = runnel::Result<Flags, std::string>;

// Accepts "--flag value" and "--flag=value"; booleans also as "--flag" / "--flag=false".
FlagParse parse_flags(const std::vector<std::string>& args);
std::string usage();

// ":8080" -> {"0.0.0.0", 8080}; "127.0.0.1:9000" -> {"127.0.0.1", 9000}; "0" disables (port 0).
struct BindAddress {
  std::string host;
  int port = 0;
};
std::optional<BindAddress> parse_bind_address(const std::string& s);

}  // namespace runnel::operator_app
