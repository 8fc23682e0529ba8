#pragma once

// The one place where a rejected configuration becomes the Kafka error code a client sees
// (CreateTopics, AlterConfigs, IncrementalAlterConfigs); config itself never names a Kafka code.

#include "broker/config/config_def.h"
#include "broker/model/error_code.h"

namespace runnel::server {

constexpr ErrorCode to_kafka(config::ConfigErrc e) {
  switch (e) {
    case config::ConfigErrc::invalid_value: return ErrorCode::invalid_config;
    case config::ConfigErrc::not_updatable: return ErrorCode::invalid_request;
  }
  return ErrorCode::unknown_server_error;
}

}  // namespace runnel::server
