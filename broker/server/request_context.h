#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/io/task.h"
#include "broker/model/byte_buffer.h"
#include "broker/model/error_code.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"

namespace runnel::server {

class Shard;

// Which APIs a listener serves, as Kafka's schemas say ("listeners"): a controller listener (one
// named in controller.listener.names) only the controller's, the others only the broker's. A node
// with no controller listener names at all (the quick start) serves every API on every listener.
// net::Connection::listener() carries it as its number.
enum class ListenerRole : uint8_t { any = 0, broker = 1, controller = 2 };

// What a handler knows about the request it serves, besides the body it decodes itself and the
// broker: no Shard needed, so a handler's core can be tested without a broker.
struct RequestInfo {
  uint64_t connection_id = 0;
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  // The connection's peer as "address:port" (net::Connection::peer()); the connection outlives
  // the handler, so a view is enough.
  std::string_view peer;
  // The listener the request came in on (ApiVersions lists what that listener serves).
  ListenerRole listener = ListenerRole::any;
  // For metrics only (runnel_requests_total's error label): the first error the handler met,
  // top-level or in any partition. Handlers that do not report leave none.
  ErrorCode error = ErrorCode::none;
  void note_error(ErrorCode e) {
    if (error == ErrorCode::none) error = e;
  }
  // The request frame the body is decoded from. Work that may outlive the request and needs its
  // bytes takes a share (Produce: each partition's append keeps its batches until written).
  std::shared_ptr<std::vector<uint8_t>> frame;
  // Buffers the response's external bytes point into (protocol::Writer::set_external): the
  // connection keeps them until the response is on the wire.
  std::vector<ByteBuffer> keep;
};

// The request and the core serving it.
struct RequestContext : RequestInfo {
  RequestContext(Shard& s, uint64_t connection, int16_t key, int16_t version, int32_t correlation,
                 std::optional<std::string> client, std::string_view peer_address,
                 std::shared_ptr<std::vector<uint8_t>> request_frame)
      : RequestInfo{connection, key, version, correlation, std::move(client), peer_address}, shard(s) {
    frame = std::move(request_frame);
  }
  Shard& shard;
};

// What the dispatcher does with a handler's output.
enum class HandlerStatus {
  respond,      // send the bytes the handler wrote
  no_response,  // nothing to send (Produce with acks=0)
  close,        // malformed request: Kafka drops the connection without answering
};

// A handler decodes its request from `body`, does the work and encodes its response into `out`
// (the dispatcher has already written the frame size placeholder and the response header).
using HandlerFn = io::Task<HandlerStatus> (*)(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);

}  // namespace runnel::server
