"""Emits api_keys.h/.cc: the table of every API key and the header-version rules."""

from cpp_emit import BANNER


def _pairs(msgs):
    reqs = {m.api_key: m for m in msgs if m.kind == "request"}
    resps = {m.api_key: m for m in msgs if m.kind == "response"}
    for key in sorted(reqs):
        if key not in resps:
            raise ValueError(f"api key {key} has a request schema but no response schema")
        yield key, reqs[key], resps[key]


def _first_flexible(m):
    f = m.flexible.intersect(m.valid)
    return -1 if f.empty() else f.lo


def emit_api_keys(msgs):
    src = "the *Request.json / *Response.json schemas"
    h = [BANNER.format(src=src), "#pragma once", "", "#include <cstdint>", "#include <span>", "",
         "namespace runnel::protocol {", "",
         "// Every Kafka API this codec knows, by its wire key.",
         "enum class ApiKey : int16_t {"]
    for key, req, _ in _pairs(msgs):
        h.append(f"  k{req.name[:-len('Request')]} = {key},")
    h += ["};", "",
          "struct ApiKeyInfo {",
          "  int16_t api_key;",
          "  const char* name;                   // schema name without \"Request\", e.g. \"Produce\"",
          "  int16_t min_version;                // request validVersions",
          "  int16_t max_version;",
          "  int16_t first_flexible_version;     // request; -1 if never flexible",
          "  int16_t response_first_flexible_version;",
          "  bool latest_version_unstable;       // Kafka hides max_version unless unstable APIs are enabled",
          "  bool broker_listener;               // served by brokers (vs. only controllers / ZooKeeper brokers)",
          "  bool controller_listener;",
          "};", "",
          "// Sorted by api_key.",
          "std::span<const ApiKeyInfo> all_api_keys();",
          "// nullptr when the key is unknown.",
          "const ApiKeyInfo* find_api_key(int16_t api_key);",
          "// Header versions for a request/response of this API version; -1 for an unknown key.",
          "// RequestHeader v2 and ResponseHeader v1 are the flexible ones, with two exceptions Kafka",
          "// keeps for bootstrapping: ApiVersions responses always use header v0 (a client must be",
          "// able to parse them before knowing what the broker supports), and ControlledShutdown v0",
          "// requests use request header v0 (no client id).",
          "int16_t request_header_version(int16_t api_key, int16_t api_version);",
          "int16_t response_header_version(int16_t api_key, int16_t api_version);", "",
          "}  // namespace runnel::protocol", ""]
    cc = [BANNER.format(src=src), '#include "broker/protocol/generated/api_keys.h"', "",
          "#include <array>", "", "namespace runnel::protocol {", "",
          "namespace {", "", "constexpr ApiKeyInfo kApiKeys[] = {"]
    for key, req, resp in _pairs(msgs):
        name = req.name[: -len("Request")]
        cc.append(f'    {{{key}, "{name}", {req.valid.lo}, {req.valid.hi}, {_first_flexible(req)}, '
                  f'{_first_flexible(resp)}, {str(req.latest_unstable).lower()}, '
                  f'{str("broker" in req.listeners).lower()}, '
                  f'{str("controller" in req.listeners).lower()}}},')
    cc += ["};", "", "}  // namespace", "",
           "std::span<const ApiKeyInfo> all_api_keys() { return kApiKeys; }", "",
           "const ApiKeyInfo* find_api_key(int16_t api_key) {",
           "  for (const ApiKeyInfo& info : kApiKeys) {",
           "    if (info.api_key == api_key) return &info;",
           "  }",
           "  return nullptr;",
           "}", "",
           "int16_t request_header_version(int16_t api_key, int16_t api_version) {",
           "  const ApiKeyInfo* info = find_api_key(api_key);",
           "  if (info == nullptr) return -1;",
           "  if (api_key == static_cast<int16_t>(ApiKey::kControlledShutdown) && api_version == 0) return 0;",
           "  const bool flexible = info->first_flexible_version >= 0 && api_version >= info->first_flexible_version;",
           "  return flexible ? 2 : 1;",
           "}", "",
           "int16_t response_header_version(int16_t api_key, int16_t api_version) {",
           "  const ApiKeyInfo* info = find_api_key(api_key);",
           "  if (info == nullptr) return -1;",
           "  if (api_key == static_cast<int16_t>(ApiKey::kApiVersions)) return 0;",
           "  const bool flexible =",
           "      info->response_first_flexible_version >= 0 && api_version >= info->response_first_flexible_version;",
           "  return flexible ? 1 : 0;",
           "}", "",
           "}  // namespace runnel::protocol", ""]
    return {"api_keys.h": "\n".join(h), "api_keys.cc": "\n".join(cc)}
