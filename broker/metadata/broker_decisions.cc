#include "broker/metadata/broker_decisions.h"

#include "broker/metadata/image_builder.h"
#include "broker/metadata/leader_election.h"

namespace runnel::metadata {

namespace {

// The image as it would be with `record` applied. The controller produced the record from this
// very image, so it applies; anything else is a bug here.
Image after(const Image& image, const Record& record) {
  auto next = apply(image, record, Offset(image.highest_offset().value() + 1));
  RUNNEL_ASSERT(next.has_value(), "%s does not apply: %s %s", type_name(type_of(record)), name(next.error().code),
                next.error().detail.c_str());
  return std::move(next).value();
}

// The broker's record followed by the partition changes it causes.
BrokerDecision with_moves(const Image& image, Record record, NodeId broker, BrokerEpoch epoch, bool unclean_default) {
  BrokerDecision out{{}, epoch};
  Image next = after(image, record);
  out.records.push_back(std::move(record));
  for (Record& change : partition_changes_for_broker(next, broker, unclean_default)) {
    out.records.push_back(std::move(change));
  }
  return out;
}

}  // namespace

Answer<const BrokerRegistration*> registered(const Image& image, NodeId broker, std::optional<BrokerEpoch> epoch) {
  const BrokerRegistration* b = image.broker(broker);
  if (b == nullptr) {
    return refuse(ErrorCode::broker_id_not_registered, "Broker " + std::to_string(broker.value()) + " is not registered.");
  }
  if (epoch && *epoch != b->epoch) {
    return refuse(ErrorCode::stale_broker_epoch, "Expected broker epoch " + std::to_string(b->epoch.value()) +
                                                     ", but got broker epoch " + std::to_string(epoch->value()));
  }
  return b;
}

Answer<BrokerDecision> register_broker(const Image& image, const BrokerRegistrationRequest& request,
                                       BrokerEpoch new_epoch, bool unclean_default) {
  const BrokerRegistration* old = image.broker(request.broker_id);
  if (old != nullptr && !old->fenced && old->incarnation_id != request.incarnation_id) {
    return refuse(ErrorCode::duplicate_broker_registration,
                  "Another broker is registered with that broker id: " + std::to_string(request.broker_id.value()));
  }
  RUNNEL_ASSERT(old == nullptr || new_epoch > old->epoch, "broker %d epoch %lld after %lld", request.broker_id.value(),
                static_cast<long long>(new_epoch.value()), static_cast<long long>(old->epoch.value()));
  RegisterBrokerRecord record{request.broker_id, request.incarnation_id, new_epoch, request.listeners, request.rack,
                              /*fenced=*/true, /*in_controlled_shutdown=*/false};
  return with_moves(image, std::move(record), request.broker_id, new_epoch, unclean_default);
}

Answer<BrokerDecision> fence_broker(const Image& image, NodeId broker, bool unclean_default) {
  auto b = registered(image, broker, std::nullopt);
  if (!b) return Unexpected(std::move(b).error());
  if ((*b)->fenced) return BrokerDecision{{}, (*b)->epoch};
  return with_moves(image, BrokerRegistrationChangeRecord{broker, (*b)->epoch, FencingChange::fence}, broker,
                    (*b)->epoch, unclean_default);
}

Answer<BrokerDecision> unfence_broker(const Image& image, NodeId broker, BrokerEpoch epoch, bool unclean_default) {
  auto b = registered(image, broker, epoch);
  if (!b) return Unexpected(std::move(b).error());
  // A broker in controlled shutdown stays fenced until it registers again.
  if (!(*b)->fenced || (*b)->in_controlled_shutdown) return BrokerDecision{{}, epoch};
  return with_moves(image, BrokerRegistrationChangeRecord{broker, epoch, FencingChange::unfence}, broker, epoch,
                    unclean_default);
}

Answer<BrokerDecision> begin_controlled_shutdown(const Image& image, NodeId broker, BrokerEpoch epoch,
                                                 bool unclean_default) {
  auto b = registered(image, broker, epoch);
  if (!b) return Unexpected(std::move(b).error());
  if ((*b)->in_controlled_shutdown) return BrokerDecision{{}, epoch};
  return with_moves(image, BrokerRegistrationChangeRecord{broker, epoch, FencingChange::none, true}, broker, epoch,
                    unclean_default);
}

Answer<BrokerDecision> unregister_broker(const Image& image, NodeId broker, bool unclean_default) {
  auto b = registered(image, broker, std::nullopt);
  if (!b) return Unexpected(std::move(b).error());
  return with_moves(image, UnregisterBrokerRecord{broker, (*b)->epoch}, broker, BrokerEpoch(-1), unclean_default);
}

}  // namespace runnel::metadata
