#include "broker/app/config_loader.h"

#include "broker/config/properties.h"

namespace runnel::app {

Result<config::BrokerConfig, std::string> load_broker_config(
    const std::optional<std::string>& path, const std::vector<std::pair<std::string, std::string>>& overrides,
    std::vector<std::string>& warnings) {
  config::Properties props;
  if (path) {
    auto loaded = config::load_properties_file(*path);
    if (!loaded) return Unexpected("cannot read " + *path + ": " + loaded.error());
    props = std::move(loaded).value();
  }
  auto cfg = config::load(props, overrides, warnings);
  if (!cfg) return Unexpected("invalid configuration: " + cfg.error());
  return std::move(cfg).value();
}

}  // namespace runnel::app
