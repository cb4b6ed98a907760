// The sans-I/O session state machine: packet identifiers, QoS 1/2 flows in both directions,
// the in-flight window (Receive Maximum), resend with DUP after reconnect, clean start versus
// persistent sessions, keep-alive deadlines, acknowledgement and partial-packet timeouts,
// deferred acknowledgements of incoming messages, topic aliases. No sockets, no clocks of its
// own: the caller feeds bytes and the time in, and takes bytes and events out.
#pragma once
#include <bitset>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>
#include "weir/mqtt/codec.hpp"

namespace weir::mqtt {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct SessionConfig {
  Version version = Version::v5;
  std::string client_id;            // empty: the server assigns one (kept for reconnects)
  bool clean_start = true;          // for the first connection; see docs/runtime-mqtt.md
  std::uint32_t session_expiry = 0; // 5.0 Session Expiry Interval (s); > 0 makes it persistent
  std::uint16_t keep_alive = 60;    // seconds, 0 = off
  std::uint16_t receive_maximum = 65535;   // QoS 1/2 messages the server may have in flight to us
  // Send Receive Maximum even when it is 65535 (the spec's meaning of no property): Mosquitto
  // reads its absence as its own max_inflight_messages (20 by default).
  bool announce_receive_maximum = false;
  std::uint32_t max_packet_size = 0;       // largest packet we accept; 0 = protocol limit
  std::uint16_t topic_alias_maximum = 16;  // aliases the server may use towards us (5.0)
  bool outgoing_topic_aliases = true;      // use the server's Topic Alias Maximum
  std::uint16_t max_inflight = 65535;      // our own cap on outgoing QoS 1/2 in flight
  // 3.1.1 has no Receive Maximum: the window assumed for the server (Mosquitto's default
  // max_inflight_messages; Mosquitto 2.0.11 stalls QoS 2 deliveries beyond it).
  std::uint16_t v311_server_window = 20;
  std::size_t max_queued = 100000;         // messages waiting to be sent (all QoS)
  std::size_t max_queued_bytes = 64u << 20;
  std::size_t max_output_bytes = 1u << 20; // encoded bytes waiting for the socket
  std::optional<Will> will;
  std::optional<std::string> username;
  std::optional<std::string> password;
  Properties connect_props;  // extra CONNECT properties (user properties, auth ...)
  // Incoming QoS 1/2: false = PUBACK/PUBREC right after delivery; true = only once the
  // application called ack(ack_id) (at-least-once end to end). Acknowledgements still leave
  // in arrival order (MQTT 5.0 §4.6), so one slow message holds back the ones behind it, and
  // at most `receive_maximum` messages are unacknowledged at a time (the server stops there).
  bool manual_acks = false;
  // A server that sends more unacknowledged QoS 1/2 messages than our Receive Maximum breaks
  // the protocol; the spec's answer is DISCONNECT 0x93 (the default). true = count it
  // (SessionStats::over_receive_maximum) and go on; flow control is then TCP's, through the
  // application's reading pace. Mosquitto 2.0.11 needs it with manual acks: on each PUBACK it
  // releases queued messages by the acked message's position in its in-flight list, not by the
  // count in flight, so a client that acknowledges slowly gets far more than its window.
  bool tolerate_receive_maximum = false;
  // An outgoing PUBLISH flow (to PUBACK or PUBCOMP), SUBSCRIBE or UNSUBSCRIBE not acknowledged
  // within this time closes the connection (transient: reconnect and resend). 0 = never.
  std::chrono::milliseconds ack_timeout{0};
  // An incoming packet whose first bytes arrived this long ago and is still incomplete closes
  // the connection (transient). 0 = never.
  std::chrono::milliseconds packet_timeout{0};
};

// ---- events -----------------------------------------------------------------------------
struct ConnectedEvent { bool session_present; Connack connack; };
// The topic is already resolved from a Topic Alias. `ack_id` != 0 when the message waits for
// ack(ack_id) (manual_acks, QoS 1/2).
struct MessageEvent { Publish msg; std::uint64_t ack_id = 0; };
// A publish completed: QoS 1/2 by PUBACK / PUBCOMP / a failing PUBREC; any QoS when it could not
// be sent at all (then `packet_id` is 0, `reason` 0x95 or 0x83 and `why` says what was wrong).
struct PublishDoneEvent {
  std::uint64_t token;
  std::uint16_t packet_id;
  std::uint8_t reason;
  std::string why = {};
};
// SUBACK, or a SUBSCRIBE that could not be sent (`why` set, every reason 0x80).
struct SubackEvent {
  std::uint16_t packet_id;
  std::vector<std::uint8_t> reasons;
  Properties props;
  std::string why = {};
};
struct UnsubackEvent { std::uint16_t packet_id; std::vector<std::uint8_t> reasons; };
struct ReadyEvent {};  // the send queue drained below half after publish() said queue_full
// The connection must be closed (after writing the output): protocol error, server
// DISCONNECT, refused CONNACK, keep-alive, acknowledgement or packet timeout. `reason` is an
// MQTT 5 reason code (a 3.1.1 return code for a refused 3.1.1 CONNACK). `permanent`: a retry
// cannot succeed (validate.hpp has the classification), so the transport must not reconnect.
struct ClosedEvent {
  std::uint8_t reason;
  std::string why;
  bool by_server;
  bool permanent = false;
};
using Event = std::variant<ConnectedEvent, MessageEvent, PublishDoneEvent, SubackEvent,
                           UnsubackEvent, ReadyEvent, ClosedEvent>;

enum class SessionState { disconnected, connecting, connected, closing };

enum class Accept { ok, queue_full, invalid, too_large };
struct PublishResult {
  Accept status;
  std::uint64_t token = 0;  // reported back in PublishDoneEvent for QoS 1/2
  Error error;              // for invalid / too_large
  std::string why = {};     // for invalid / too_large: the field, the value and the rule
};

// subscribe / unsubscribe: the packet identifier, or why nothing was sent (invalid filter,
// options or properties). An invalid request never reaches the server.
struct RequestResult {
  std::uint16_t packet_id = 0;
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};

struct SessionStats {
  std::uint64_t published = 0, received = 0, resent = 0, dropped_qos0 = 0, requeued = 0;
  std::uint64_t over_receive_maximum = 0;   // messages beyond our window (tolerate_receive_maximum)
};

class Session {
 public:
  explicit Session(SessionConfig cfg);

  // --- connection lifecycle, driven by the transport ---
  void connection_opened(TimePoint now);  // writes CONNECT
  void connection_lost();                 // unsent output is discarded; QoS 1/2 kept for resend
  // Feeds received bytes; returns how many were consumed (a partial packet stays with the caller).
  std::size_t receive(std::span<const std::uint8_t> data, TimePoint now);
  void tick(TimePoint now);               // keep-alive
  std::optional<TimePoint> next_deadline() const;

  // --- application requests ---
  PublishResult publish(Publish msg);     // packet_id is assigned here; topic must be a topic name
  RequestResult subscribe(std::vector<Subscription> subs, Properties props = {});
  RequestResult unsubscribe(std::vector<std::string> filters);
  void disconnect(std::uint8_t reason = 0);
  // Acknowledges a message delivered with MessageEvent::ack_id (manual_acks). `reason` >= 0x80
  // tells the server it was not processed (5.0; 3.1.1 has no reason). Returns false when the
  // id is unknown or belongs to an earlier connection: the server will deliver the message
  // again (persistent session) and it gets a new id.
  bool ack(std::uint64_t ack_id, std::uint8_t reason = 0);
  // Graceful shutdown: new incoming QoS 1/2 messages are neither delivered nor acknowledged
  // (the server keeps them for a persistent session); flows already started complete.
  void drain() noexcept { draining_ = true; }
  // Forgets the messages delivered but not acknowledged by the application (acknowledged ones
  // behind them are released): they are neither acknowledged nor refused on this connection,
  // so the server delivers them again to a persistent session. For a consumer that stops
  // after N messages and will never handle the rest.
  void abandon_unacked();
  // Incoming flows not finished: messages awaiting ack(), QoS 2 awaiting PUBREL.
  bool incoming_busy() const noexcept { return !in_order_.empty() || !qos2_in_.empty(); }
  // For the 3.1.1 fallback: the version of the next CONNECT (only while disconnected).
  void set_version(Version v) noexcept;

  // --- output ---
  std::vector<std::uint8_t>& output() noexcept { return out_; }
  // Swaps the pending output into `buf` (which should be empty) and pumps queued messages.
  void take_output(std::vector<std::uint8_t>& buf);
  bool has_output() const noexcept { return !out_.empty(); }
  std::vector<Event>& events() noexcept { return events_; }

  // --- introspection ---
  SessionState state() const noexcept { return state_; }
  std::size_t inflight() const noexcept { return inflight_count_; }
  std::size_t unacked_incoming() const noexcept { return in_order_.size(); }
  // The server's Maximum Packet Size on this connection (the protocol limit before CONNACK).
  std::uint32_t server_max_packet() const noexcept { return server_max_packet_; }
  std::size_t queued() const noexcept { return queue_.size(); }
  bool can_publish() const noexcept;
  bool subscribe_pending(std::uint16_t id) const { return pending_sub_.count(id) != 0; }
  const SessionConfig& config() const noexcept { return cfg_; }
  const std::string& client_id() const noexcept { return client_id_; }
  std::uint16_t server_receive_maximum() const noexcept { return server_receive_max_; }
  std::uint16_t keep_alive() const noexcept { return keep_alive_; }
  const SessionStats& stats() const noexcept { return stats_; }

 private:
  enum class Stage : std::uint8_t { puback, pubrec, pubcomp, done };
  struct Outgoing {
    Publish msg;
    Stage stage;
    std::uint64_t token;
    TimePoint sent{};  // PUBLISH sent on this connection (the ack timeout counts from here)
  };
  // An incoming QoS 1/2 message delivered and not yet acknowledged (manual_acks).
  struct Incoming {
    std::uint16_t packet_id;
    std::uint8_t qos;
    bool acked;
    std::uint8_t reason;
  };

  Error send(const Packet& p);
  bool send_publish(Publish& m);
  void protocol_error(std::uint8_t reason, std::string why);
  void close_transient(std::uint8_t reason, std::string why);
  void fail_publish(std::uint64_t token, std::uint8_t reason, std::string why);
  bool fits(Publish& m, std::string* why) const;
  void release_acks();
  bool handle(Packet&& p, TimePoint now);
  void on_connack(Connack& c);
  void on_publish(Publish& p);
  void on_ack(PacketType t, const AckBase& a);
  void finish(Outgoing& o, std::uint8_t reason, std::string why = {});
  std::optional<TimePoint> oldest_request(std::string* what) const;
  void pump();
  bool window_open() const noexcept;
  std::uint16_t alloc_id();
  void free_id(std::uint16_t id) noexcept { id_used_[id] = false; }

  SessionConfig cfg_;
  SessionState state_ = SessionState::disconnected;
  std::string client_id_;
  bool first_connect_ = true;
  std::vector<std::uint8_t> out_;
  std::vector<Event> events_;
  SessionStats stats_;

  // outgoing
  struct Queued {
    Publish msg;
    std::uint64_t token;
  };
  void start_flight(Publish&& m, std::uint64_t token);

  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  bool said_full_ = false;
  std::deque<Outgoing> inflight_;               // in send order; done entries popped from the front
  std::unordered_map<std::uint16_t, Outgoing*> by_id_;  // packet id -> in-flight publish
  std::bitset<65536> id_used_;                  // packet id allocation
  std::uint16_t next_id_ = 1;
  std::size_t inflight_count_ = 0;
  std::uint64_t next_token_ = 1;
  std::unordered_map<std::uint16_t, Subscribe> pending_sub_;
  std::unordered_map<std::uint16_t, Unsubscribe> pending_unsub_;
  std::unordered_map<std::uint16_t, TimePoint> request_sent_;  // SUBSCRIBE/UNSUBSCRIBE on this connection

  // incoming
  std::unordered_set<std::uint16_t> qos2_in_;   // delivered, waiting for PUBREL (PUBREC sent or due)
  std::deque<Incoming> in_order_;               // manual_acks: awaiting ack(), in arrival order
  std::size_t in_order_qos1_ = 0;                // QoS 1 entries of in_order_ (our window)
  // Where ack() finds a packet id in in_order_ without a scan (acks come out of order: one
  // message waiting for its outputs holds the front while thousands behind it are acked):
  // in_seq_[id] is the arrival number of its entry, in_front_seq_ that of in_order_.front().
  std::uint32_t in_front_seq_ = 0;
  std::unique_ptr<std::uint32_t[]> in_seq_;      // 65536 entries, made on the first manual ack
  std::uint32_t epoch_ = 0;                     // connection number, the high bits of ack ids
  bool draining_ = false;
  std::optional<TimePoint> partial_since_;      // an incomplete packet started arriving
  std::size_t partial_have_ = 0, partial_need_ = 0;
  std::vector<std::string> alias_in_;           // server -> us

  // negotiated per connection
  std::uint16_t server_receive_max_ = 65535;
  std::uint32_t server_max_packet_ = max_packet_size_limit;
  bool server_max_announced_ = false;
  std::uint16_t server_alias_max_ = 0;
  std::uint8_t server_max_qos_ = 2;
  std::unordered_map<std::string, std::uint16_t> alias_out_;
  std::vector<std::uint8_t> alias_out_sent_;    // alias announced on this connection?

  // keep-alive
  std::uint16_t keep_alive_ = 0;
  TimePoint now_{};
  TimePoint last_sent_{};
  TimePoint ping_sent_{};
  bool ping_outstanding_ = false;
};

}  // namespace weir::mqtt
