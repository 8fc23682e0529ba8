#include "broker/config/config_def.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace runnel::config {

namespace {

bool is_java_space(char c) { return static_cast<unsigned char>(c) <= ' '; }

// Java's String.trim(): strips every character <= U+0020 from both ends.
std::string_view trim(std::string_view s) {
  while (!s.empty() && is_java_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_java_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string invalid(std::string_view name, std::string_view value, std::string_view why) {
  std::string m = "Invalid value ";
  m.append(value).append(" for configuration ").append(name).append(": ").append(why);
  return m;
}

// Integer.parseInt / Long.parseLong / Short.parseShort: optional sign, decimal digits only.
bool parse_java_integer(std::string_view s, int64_t lo, int64_t hi, int64_t& out) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) return false;
  }
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && out >= lo && out <= hi;
}

bool parse_java_double(std::string_view s, double& out) {
  if (s.empty()) return false;
  std::string copy(s);
  // Java accepts a trailing type suffix ("1.5d"); strtod does not.
  if (copy.size() > 1 && std::string_view("dDfF").find(copy.back()) != std::string_view::npos) {
    copy.pop_back();
  }
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && !copy.empty();
}

std::vector<std::string> split_list(std::string_view trimmed) {
  std::vector<std::string> items;
  if (trimmed.empty()) return items;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = trimmed.find(',', start);
    std::string_view item =
        trimmed.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    // Kafka splits on "\\s*,\\s*": blanks around commas go, blanks inside an item stay.
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

std::string number_string(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9.2e18) return std::to_string(static_cast<int64_t>(d));
  return java_double_string(d);
}

std::string join(const std::vector<std::string_view>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.append(sep);
    out.append(items[i]);
  }
  return out;
}

bool contains(const std::vector<std::string_view>& options, std::string_view s) {
  return std::find(options.begin(), options.end(), s) != options.end();
}

bool valid_throttled_replicas(const std::vector<std::string>& items) {
  if (items.size() == 1 && items[0] == "*") return true;
  for (const std::string& item : items) {
    std::size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) return false;
    for (std::size_t i = 0; i < item.size(); ++i) {
      if (i != colon && (item[i] < '0' || item[i] > '9')) return false;
    }
  }
  return true;
}

// Applies the validator to a parsed value; returns the ConfigException text or "".
std::string check(const ConfigDef& def, const ConfigValue& value) {
  const Validator& v = def.validator;
  switch (v.kind) {
    case Validator::Kind::none:
      return {};
    case Validator::Kind::range: {
      double n = std::holds_alternative<double>(value) ? std::get<double>(value)
                                                       : static_cast<double>(std::get<int64_t>(value));
      std::string shown = std::holds_alternative<double>(value) ? java_double_string(n)
                                                                : std::to_string(std::get<int64_t>(value));
      if (v.min && n < *v.min) return invalid(def.name, shown, "Value must be at least " + number_string(*v.min));
      if (v.max && n > *v.max) return invalid(def.name, shown, "Value must be no more than " + number_string(*v.max));
      return {};
    }
    case Validator::Kind::one_of: {
      const std::string& s = std::get<std::string>(value);
      if (contains(v.options, s)) return {};
      return invalid(def.name, s, "String must be one of: " + join(v.options, ", "));
    }
    case Validator::Kind::list_of: {
      for (const std::string& s : std::get<std::vector<std::string>>(value)) {
        if (!contains(v.options, s)) {
          return invalid(def.name, s, "String must be one of: " + join(v.options, ", "));
        }
      }
      return {};
    }
    case Validator::Kind::gzip_level: {
      int64_t n = std::get<int64_t>(value);
      if (n == -1 || (n >= 1 && n <= 9)) return {};
      return invalid(def.name, std::to_string(n), "Value must be between 1 and 9, or -1");
    }
    case Validator::Kind::throttled_replicas: {
      const auto& items = std::get<std::vector<std::string>>(value);
      if (valid_throttled_replicas(items)) return {};
      std::string shown = "[";
      for (std::size_t i = 0; i < items.size(); ++i) shown += (i ? ", " : "") + items[i];
      shown += "]";
      return invalid(def.name, shown,
                     "must be the literal '*' or a list of replicas in the following format: "
                     "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
    }
  }
  return {};
}

}  // namespace

std::string_view type_name(ConfigType type) {
  switch (type) {
    case ConfigType::boolean: return "BOOLEAN";
    case ConfigType::string: return "STRING";
    case ConfigType::int_: return "INT";
    case ConfigType::short_: return "SHORT";
    case ConfigType::long_: return "LONG";
    case ConfigType::double_: return "DOUBLE";
    case ConfigType::list: return "LIST";
    case ConfigType::class_: return "CLASS";
    case ConfigType::password: return "PASSWORD";
    case ConfigType::unknown: break;
  }
  return "UNKNOWN";
}

std::string_view importance_name(Importance importance) {
  switch (importance) {
    case Importance::high: return "high";
    case Importance::medium: return "medium";
    case Importance::low: return "low";
  }
  return "low";
}

std::string_view update_mode_name(UpdateMode mode) {
  switch (mode) {
    case UpdateMode::read_only: return "read-only";
    case UpdateMode::per_broker: return "per-broker";
    case UpdateMode::cluster_wide: return "cluster-wide";
  }
  return "read-only";
}

std::string Validator::describe() const {
  switch (kind) {
    case Kind::none: return {};
    case Kind::range: {
      // Built with += because GCC 12 mis-warns (-Wrestrict) on "literal" + std::string&&.
      std::string s = "[";
      if (min) s += number_string(*min);
      else s += "...";
      s += ",...";
      if (max) {
        if (min) s += ",";
        s += number_string(*max);
      }
      s += "]";
      return s;
    }
    case Kind::one_of:
    case Kind::list_of: {
      std::string s = "[";
      s += join(options, ", ");
      s += "]";
      return s;
    }
    case Kind::gzip_level: return "[1,...,9] or -1";
    case Kind::throttled_replicas: return "[partitionId]:[brokerId],... or *";
  }
  return {};
}

Validator no_validator() { return {}; }
Validator at_least(double min) { return {Validator::Kind::range, min, std::nullopt, {}}; }
Validator between(double min, double max) { return {Validator::Kind::range, min, max, {}}; }
Validator one_of(std::vector<std::string_view> options) {
  return {Validator::Kind::one_of, std::nullopt, std::nullopt, std::move(options)};
}
Validator list_of(std::vector<std::string_view> options) {
  return {Validator::Kind::list_of, std::nullopt, std::nullopt, std::move(options)};
}
Validator gzip_level() { return {Validator::Kind::gzip_level, std::nullopt, std::nullopt, {}}; }
Validator throttled_replicas() {
  return {Validator::Kind::throttled_replicas, std::nullopt, std::nullopt, {}};
}

Result<ConfigValue> parse_value(const ConfigDef& def, std::string_view raw) {
  std::string_view t = trim(raw);
  ConfigValue value;
  switch (def.type) {
    case ConfigType::boolean: {
      std::string lower(t);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower == "true") value = true;
      else if (lower == "false") value = false;
      else return Unexpected(invalid(def.name, raw, "Expected value to be either true or false"));
      break;
    }
    case ConfigType::int_:
    case ConfigType::short_:
    case ConfigType::long_: {
      int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
      if (def.type == ConfigType::int_) lo = INT32_MIN, hi = INT32_MAX;
      if (def.type == ConfigType::short_) lo = INT16_MIN, hi = INT16_MAX;
      int64_t n = 0;
      if (!parse_java_integer(t, lo, hi, n)) {
        return Unexpected(invalid(def.name, raw, "Not a number of type " + std::string(type_name(def.type))));
      }
      value = n;
      break;
    }
    case ConfigType::double_: {
      double d = 0;
      if (!parse_java_double(t, d)) return Unexpected(invalid(def.name, raw, "Not a number of type DOUBLE"));
      value = d;
      break;
    }
    case ConfigType::list: value = split_list(t); break;
    case ConfigType::string:
    case ConfigType::class_:
    case ConfigType::password:
    case ConfigType::unknown: value = std::string(t); break;
  }
  std::string error = check(def, value);
  if (!error.empty()) return Unexpected(std::move(error));
  return value;
}

ConfigValue default_value(const ConfigDef& def) {
  if (!def.default_value) return std::monostate{};
  Result<ConfigValue> parsed = parse_value(def, *def.default_value);
  RUNNEL_ASSERT(parsed.has_value(), "default of %.*s is invalid: %s", static_cast<int>(def.name.size()),
                def.name.data(), parsed.error().c_str());
  return std::move(parsed).value();
}

std::optional<std::string> to_string(const ConfigValue& value) {
  struct Visitor {
    std::optional<std::string> operator()(std::monostate) const { return std::nullopt; }
    std::optional<std::string> operator()(bool b) const { return b ? "true" : "false"; }
    std::optional<std::string> operator()(int64_t n) const { return std::to_string(n); }
    std::optional<std::string> operator()(double d) const { return java_double_string(d); }
    std::optional<std::string> operator()(const std::string& s) const { return s; }
    std::optional<std::string> operator()(const std::vector<std::string>& items) const {
      std::string out;
      for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
      return out;
    }
  };
  return std::visit(Visitor{}, value);
}

std::string java_double_string(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  double magnitude = std::fabs(d);
  char buf[64];
  if (magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    std::string s(buf, end);
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
  }
  // Java switches to computerized scientific notation outside [1e-3, 1e7): "1.0E-5".
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string s(buf, end);
  std::size_t e = s.find('e');
  std::string mantissa = s.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  int exponent = std::atoi(s.c_str() + e + 1);
  return mantissa + "E" + std::to_string(exponent);
}

}  // namespace runnel::config
