#include "broker/config/reference_doc.h"

#include <algorithm>
#include <cctype>

#include "broker/config/broker_config_defs.h"
#include "broker/config/strings.h"
#include "broker/config/topic_config_defs.h"

namespace runnel::config {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

std::string default_cell(const ConfigDef& def) {
  if (!def.default_value) return "null";
  if (def.default_value->empty()) return "\"\"";
  return cat("`", *def.default_value, "`");
}

std::string valid_cell(const ConfigDef& def) {
  std::string v = def.validator.describe();
  return v.empty() ? std::string() : cat("`", cell(v), "`");
}

}  // namespace

std::string render_configuration_reference() {
  std::string md;
  md += "# Runnel configuration reference\n\n";
  md += "Generated from `broker/config/broker_config_defs.cc` and `broker/config/topic_config_defs.cc`\n";
  md += "by `render_configuration_reference()`; the `config` unit tests fail when this file is stale\n";
  md += "(regenerate with `RUNNEL_WRITE_CONFIG_DOC=1 ctest -R ConfigReference`).\n\n";
  md += "Names, types, defaults and valid values are Apache Kafka 4.0's, except: `log.dir` defaults to\n";
  md += "`./data`, `process.roles` defaults to `broker,controller`, and an unset `node.id` means 0.\n";
  md += "Properties starting with `runnel.` are Runnel's own. Unknown properties are ignored with a\n";
  md += "warning. *Update* says whether AlterConfigs can change a broker property without a restart\n";
  md += "(`cluster-wide`, `per-broker`) or not (`read-only`), as in Kafka.\n\n";
  md += "## Broker properties\n\n";
  md += "| Name | Type | Default | Valid values | Importance | Update | Description |\n";
  md += "|---|---|---|---|---|---|---|\n";
  for (const ConfigDef& d : broker_config_defs()) {
    md += cat("| `", d.name, "` | ", lower(type_name(d.type)), " | ", default_cell(d), " | ", valid_cell(d), " | ",
              importance_name(d.importance), " | ", update_mode_name(d.update_mode), " | ", cell(d.doc), " |\n");
  }
  md += "\n## Topic configs\n\n";
  md += "Set per topic with CreateTopics or AlterConfigs (`kafka-configs.sh --entity-type topics`).\n";
  md += "A topic without an override takes the broker property in *Broker default*; when several are\n";
  md += "listed the first one set wins (e.g. `log.retention.ms` > `log.retention.minutes` >\n";
  md += "`log.retention.hours`).\n\n";
  md += "| Name | Type | Default | Valid values | Broker default | Description |\n";
  md += "|---|---|---|---|---|---|\n";
  for (const TopicConfigDef& t : topic_config_defs()) {
    std::string synonyms;
    for (const BrokerSynonym& s : t.synonyms) synonyms += cat(synonyms.empty() ? "" : ", ", "`", s.name, "`");
    md += cat("| `", t.def.name, "` | ", lower(type_name(t.def.type)), " | ", default_cell(t.def), " | ",
              valid_cell(t.def), " | ", synonyms, " | ", cell(t.def.doc), " |\n");
  }
  return md;
}

}  // namespace runnel::config
