// Connection management of KafkaAdminClient: bootstrap, controller discovery, reconnects.
#include "operator/admin/kafka_admin_client.h"

#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"

namespace runnel::operator_admin {

Outcome<std::unique_ptr<AdminClient>> connect(const ConnectOptions& options) {
  if (options.bootstrap.empty()) return AdminError::transport("no bootstrap addresses");
  std::string errors;
  for (const auto& address : options.bootstrap) {
    auto conn = KafkaConnection::open(address, options.client_id, options.timeout);
    if (conn.ok()) {
      return std::unique_ptr<AdminClient>(
          std::make_unique<KafkaAdminClient>(options, std::move(conn.value())));
    }
    errors += (errors.empty() ? "" : "; ") + conn.error().describe();
    // A Kafka-level refusal (e.g. no common ApiVersions) is not a reason to give up on others.
  }
  return AdminError::transport("no bootstrap broker reachable: " + errors);
}

Outcome<KafkaConnection*> KafkaAdminClient::any_broker() {
  if (any_ && any_->is_open()) return &*any_;
  any_.reset();
  std::string errors;
  for (const auto& address : options_.bootstrap) {
    auto conn = KafkaConnection::open(address, options_.client_id, options_.timeout);
    if (conn.ok()) {
      any_.emplace(std::move(conn.value()));
      return &*any_;
    }
    errors += (errors.empty() ? "" : "; ") + conn.error().describe();
  }
  return AdminError::transport("no bootstrap broker reachable: " + errors);
}

Outcome<KafkaConnection*> KafkaAdminClient::controller() {
  if (controller_is_any_ && any_ && any_->is_open()) return &*any_;
  if (controller_ && controller_->is_open()) return &*controller_;
  controller_.reset();
  controller_is_any_ = false;

  auto any = any_broker();
  if (!any.ok()) return any.error();
  protocol::MetadataRequest request;
  request.topics = std::vector<protocol::MetadataRequest::MetadataRequestTopic>{};
  request.allow_auto_topic_creation = false;
  auto response = any.value()->call<protocol::MetadataResponse>(request);
  if (!response.ok()) return response.error();
  const auto& md = response.value();
  for (const auto& b : md.brokers) {
    if (b.node_id != md.controller_id) continue;
    std::string address = b.host + ":" + std::to_string(b.port);
    if (b.host.find(':') != std::string::npos) address = "[" + b.host + "]:" + std::to_string(b.port);
    if (address == any.value()->address()) break;
    auto conn = KafkaConnection::open(address, options_.client_id, options_.timeout);
    if (conn.ok()) {
      controller_.emplace(std::move(conn.value()));
      return &*controller_;
    }
    // The advertised address may be a cluster-internal name the operator cannot resolve; the
    // bootstrap broker then has to do (Runnel forwards or answers NOT_CONTROLLER).
    break;
  }
  controller_is_any_ = true;
  return any;
}

Outcome<KafkaConnection*> KafkaAdminClient::connection(Target target) {
  return target == Target::any ? any_broker() : controller();
}

void KafkaAdminClient::forget(Target target) {
  // The controller is always looked up again: it may have moved (NOT_CONTROLLER) or its
  // connection broke. The bootstrap connection is dropped when it was the one that failed.
  const bool shared = controller_is_any_;
  controller_.reset();
  controller_is_any_ = false;
  if (target == Target::any || shared) any_.reset();
}

}  // namespace runnel::operator_admin
