#include "operator/kube/watch.h"

#include <httplib.h>

#include <utility>

#include "operator/kube/http_api.h"
#include "operator/kube/paths.h"

namespace runnel::kube {
namespace {

constexpr std::pair<WatchEventType, std::string_view> kWatchEventTypes[] = {
    {WatchEventType::kAdded, "ADDED"},       {WatchEventType::kModified, "MODIFIED"},
    {WatchEventType::kDeleted, "DELETED"},   {WatchEventType::kBookmark, "BOOKMARK"},
    {WatchEventType::kError, "ERROR"}};

}  // namespace

std::string_view to_string(WatchEventType type) {
  for (const auto& [t, text] : kWatchEventTypes)
    if (t == type) return text;
  return "ERROR";
}

std::optional<WatchEventType> watch_event_type_from_string(std::string_view s) {
  for (const auto& [t, text] : kWatchEventTypes)
    if (text == s) return t;
  return std::nullopt;
}

bool WatchDecoder::feed(const char* data, size_t size,
                        const std::function<bool(WatchEvent&&)>& emit) {
  partial_.append(data, size);
  size_t start = 0;
  for (;;) {
    size_t nl = partial_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(partial_.data() + start, nl - start);
    start = nl + 1;
    if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j["type"].is_string()) {
      error_ = "malformed watch event: " + std::string(line.substr(0, 200));
      return false;
    }
    std::optional<WatchEventType> type = watch_event_type_from_string(j["type"].get<std::string>());
    if (!type) continue;
    WatchEvent ev{*type, std::move(j["object"])};
    if (!emit(std::move(ev))) {
      partial_.erase(0, start);
      return false;
    }
  }
  partial_.erase(0, start);
  return true;
}

void WatchCanceller::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  if (client_) client_->stop();
}

bool WatchCanceller::attach(httplib::ClientImpl* client) {
  std::lock_guard lock(mu_);
  client_ = client;
  return !cancelled_;
}

void WatchCanceller::detach() {
  std::lock_guard lock(mu_);
  client_ = nullptr;
}

Result HttpApi::watch(const ResourceType& type, std::string_view ns, const WatchOptions& opts,
                      const std::function<bool(WatchEvent&&)>& on_event,
                      WatchCanceller* canceller) {
  // The server closes the stream after timeout_seconds; allow a margin before calling it dead.
  ClientOrError created = new_client(std::chrono::seconds(opts.timeout_seconds + 30));
  if (!created) return {0, nullptr, "", created.error()};
  std::unique_ptr<httplib::ClientImpl> client = std::move(created).value();
  client->set_keep_alive(false);
  std::string path =
      collection_path(type, ns) +
      query_string({{"watch", "1"},
                    {"allowWatchBookmarks", opts.allow_bookmarks ? "true" : ""},
                    {"resourceVersion", opts.resource_version},
                    {"timeoutSeconds", std::to_string(opts.timeout_seconds)},
                    {"labelSelector", opts.selectors.label_selector},
                    {"fieldSelector", opts.selectors.field_selector}});
  httplib::Headers headers{{"Accept", "application/json"}, {"User-Agent", "runnel-operator"}};
  std::string token = tokens_.token();
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);

  if (canceller && !canceller->attach(client.get())) return {0, nullptr, "", "cancelled"};
  int status = 0;
  std::string error_body;
  WatchDecoder decoder;
  bool stopped_by_handler = false;
  auto res = client->Get(
      path, headers,
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t size) {
        if (canceller && canceller->cancelled()) return false;
        if (status != 200) {  // an error answer: keep its Status body for the Result
          if (error_body.size() < 65536) error_body.append(data, size);
          return true;
        }
        if (decoder.feed(data, size, on_event)) return true;
        stopped_by_handler = decoder.error().empty();
        return false;
      });
  if (canceller) canceller->detach();
  if (status == 401) tokens_.invalidate();
  if (status != 0 && status != 200) return decode_response(status, error_body);
  if (stopped_by_handler) return {200, nullptr, "", ""};
  if (!decoder.error().empty()) return {0, nullptr, "", decoder.error()};
  if (canceller && canceller->cancelled()) return {0, nullptr, "", "cancelled"};
  if (!res) return {0, nullptr, "", "watch " + path + ": " + httplib::to_string(res.error())};
  return {200, nullptr, "", ""};
}

}  // namespace runnel::kube
