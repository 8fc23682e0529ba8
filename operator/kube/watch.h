#pragma once
// Watch streams: `GET <collection>?watch=1&allowWatchBookmarks=true&resourceVersion=RV&
// timeoutSeconds=N` answers with newline-delimited JSON events
// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}. An ERROR event carries a
// metav1.Status (code 410 = the resourceVersion is too old: relist). `HttpApi::watch` runs one
// stream; the informer (informer.h) decides what to do when it ends.

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "operator/kube/api.h"

namespace httplib {
class ClientImpl;
}

namespace runnel::kube {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };
std::string_view to_string(WatchEventType type);  // "ADDED", ...
std::optional<WatchEventType> watch_event_type_from_string(std::string_view s);

struct WatchEvent {
  WatchEventType type;
  Json object;
};

struct WatchOptions {
  std::string resource_version;  // from the list (or the last event/bookmark)
  int timeout_seconds = 300;     // the server ends the stream after this; we then re-watch
  bool allow_bookmarks = true;
  ListOptions selectors;
};

// Splits a byte stream into lines and decodes each line into a WatchEvent. Chunk boundaries
// fall anywhere, so partial lines are kept until their newline arrives. Events of a type this
// client does not know are skipped.
class WatchDecoder {
 public:
  // Returns false when `emit` asked to stop or a line is not a valid event (`error()` says which).
  bool feed(const char* data, size_t size, const std::function<bool(WatchEvent&&)>& emit);
  const std::string& error() const { return error_; }

 private:
  std::string partial_;
  std::string error_;
};

// Lets another thread abort a blocking watch (the informer's stop()). Thread-safe.
class WatchCanceller {
 public:
  void cancel();
  bool cancelled() const { return cancelled_.load(); }
  void reset() { cancelled_ = false; }
  // Called by HttpApi::watch around the streaming request.
  bool attach(httplib::ClientImpl* client);  // false if already cancelled
  void detach();

 private:
  std::mutex mu_;
  httplib::ClientImpl* client_ = nullptr;
  std::atomic<bool> cancelled_{false};
};

}  // namespace runnel::kube
