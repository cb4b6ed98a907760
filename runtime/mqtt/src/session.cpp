// Session state machine (see session.hpp and docs/runtime-mqtt.md for the policies).
#include "weir/mqtt/session.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"
#include "weir/mqtt/validate.hpp"
#include "weir/mqtt/wire.hpp"
#include <utility>

namespace weir::mqtt {

Session::Session(SessionConfig cfg)
    : cfg_(std::move(cfg)), client_id_(cfg_.client_id) {
  if (cfg_.receive_maximum == 0) cfg_.receive_maximum = 1;
  if (cfg_.max_inflight == 0) cfg_.max_inflight = 1;
  if (cfg_.max_queued == 0) cfg_.max_queued = 1;
}

// ---- output ---------------------------------------------------------------------------------

// Encodes one packet into the output. A packet that cannot be encoded leaves the output as it
// was; the caller decides what fails (one request, or the connection for a CONNECT).
Error Session::send(const Packet& p) {
  EncodeOptions o{cfg_.version, server_max_packet_};
  last_sent_ = now_;
  return encode(p, out_, o);
}

bool Session::send_publish(Publish& m) {
  EncodeOptions o{cfg_.version, server_max_packet_};
  last_sent_ = now_;
  // Outgoing topic alias: announce topic+alias once per connection, then alias alone.
  std::string topic_saved;
  bool aliased = false;
  if (server_alias_max_ > 0 && cfg_.outgoing_topic_aliases && cfg_.version == Version::v5 &&
      !m.props.find(PropId::topic_alias)) {
    std::uint16_t alias = 0;
    auto it = alias_out_.find(m.topic);
    if (it != alias_out_.end()) alias = it->second;
    else if (alias_out_.size() < server_alias_max_) {
      alias = std::uint16_t(alias_out_.size() + 1);
      alias_out_.emplace(m.topic, alias);
    }
    if (alias) {
      aliased = true;
      m.props.add(PropId::topic_alias, alias);
      if (alias_out_sent_[alias]) topic_saved = std::exchange(m.topic, std::string());
      alias_out_sent_[alias] = 1;
    }
  }
  Error e = encode(m, out_, o);
  if (aliased) {
    m.props.items.pop_back();
    if (!topic_saved.empty()) m.topic = std::move(topic_saved);
  }
  return !e;
}

// Does the message fit this connection (the server's Maximum Packet Size may be smaller than
// when it was accepted)? Checked before a queued message is sent: a message that does not fit
// fails alone, the connection stays.
bool Session::fits(Publish& m, std::string* why) const {
  EncodeOptions o{cfg_.version, server_max_packet_};
  const std::uint16_t saved = m.packet_id;
  if (m.qos > 0 && m.packet_id == 0) m.packet_id = 1;  // size with a packet identifier
  const bool ok = encoded_size(m, o) != 0;
  m.packet_id = saved;
  if (ok) return true;
  *why = publish_problem(m, cfg_.version, server_max_packet_, server_max_announced_);
  if (why->empty()) *why = "PUBLISH could not be encoded";
  return false;
}

void Session::fail_publish(std::uint64_t token, std::uint8_t reason, std::string why) {
  events_.push_back(PublishDoneEvent{token, 0, reason, std::move(why)});
}

void Session::take_output(std::vector<std::uint8_t>& buf) {
  buf.clear();
  buf.swap(out_);
  pump();
}

// The server broke the protocol (malformed packet, unexpected packet ...): DISCONNECT with the
// reason and close. Transient: the server may be fixed or restarted, and the client's backoff
// does not reset until a connection stayed healthy, so this cannot become a reconnect storm.
void Session::protocol_error(std::uint8_t reason, std::string why) {
  if (cfg_.version == Version::v5 && state_ != SessionState::disconnected)
    (void)send(Disconnect{reason, {}});
  state_ = SessionState::closing;
  events_.push_back(ClosedEvent{reason, std::move(why), false, false});
}

// A timeout: close without DISCONNECT (the server is not answering; the will applies).
void Session::close_transient(std::uint8_t reason, std::string why) {
  state_ = SessionState::closing;
  events_.push_back(ClosedEvent{reason, std::move(why), false, false});
}

// ---- lifecycle ------------------------------------------------------------------------------

void Session::connection_opened(TimePoint now) {
  out_.clear();
  now_ = now;
  state_ = SessionState::connecting;
  ++epoch_;
  draining_ = false;
  partial_since_.reset();
  request_sent_.clear();
  Connect c;
  c.version = cfg_.version;
  c.client_id = client_id_;
  if (cfg_.version == Version::v5)
    c.clean_start = first_connect_ ? cfg_.clean_start : cfg_.session_expiry == 0;
  else
    c.clean_start = cfg_.clean_start;
  c.keep_alive = cfg_.keep_alive;
  if (cfg_.version == Version::v5) {
    c.props = cfg_.connect_props;
    if (cfg_.session_expiry) c.props.set(PropId::session_expiry_interval, cfg_.session_expiry);
    if (cfg_.receive_maximum != 65535 || cfg_.announce_receive_maximum) c.props.set(PropId::receive_maximum, cfg_.receive_maximum);
    if (cfg_.max_packet_size) c.props.set(PropId::maximum_packet_size, cfg_.max_packet_size);
    if (cfg_.topic_alias_maximum) c.props.set(PropId::topic_alias_maximum, cfg_.topic_alias_maximum);
  }
  c.will = cfg_.will;
  if (c.will && cfg_.version == Version::v311) c.will->props = {};
  c.username = cfg_.username;
  c.password = cfg_.password;
  if (Error e = send(c)) {  // the transport validates first (connect_problem); a last guard
    state_ = SessionState::closing;
    events_.push_back(ClosedEvent{rc::implementation_specific_error, "CONNECT: " + e.message(), false, true});
  }
  last_sent_ = now;
  ping_outstanding_ = false;
}

void Session::set_version(Version v) noexcept {
  if (state_ == SessionState::disconnected) cfg_.version = v;
}

void Session::connection_lost() {
  for (std::size_t i = 0; i + 1 < out_.size();) {  // count QoS 0 publishes that never left
    std::uint32_t rl = 0;
    std::size_t used = 0;
    if (decode_varint(out_.data() + i + 1, out_.size() - i - 1, &rl, &used) != VarintStatus::ok) break;
    if ((out_[i] >> 4) == 3 && ((out_[i] >> 1) & 3) == 0) ++stats_.dropped_qos0;
    i += 1 + used + rl;
  }
  out_.clear();
  state_ = SessionState::disconnected;
  ping_outstanding_ = false;
  partial_since_.reset();
  // Acknowledgements owed on this connection are void: the server delivers those messages
  // again (persistent session), so a QoS 2 message not yet PUBRECed is forgotten here.
  for (auto& in : in_order_)
    if (in.qos == 2) qos2_in_.erase(in.packet_id);
  in_order_.clear();
  in_order_qos1_ = 0;
}

void Session::disconnect(std::uint8_t reason) {
  if (state_ == SessionState::connected || state_ == SessionState::connecting) {
    (void)send(Disconnect{reason, {}});
    state_ = SessionState::closing;
  }
}

// ---- application requests -------------------------------------------------------------------

bool Session::can_publish() const noexcept {
  return queue_.size() < cfg_.max_queued && queued_bytes_ < cfg_.max_queued_bytes;
}

bool Session::window_open() const noexcept {
  return inflight_count_ < std::min<std::size_t>(server_receive_max_, cfg_.max_inflight);
}

std::uint16_t Session::alloc_id() {
  for (int tries = 0; tries < 65535; ++tries) {
    std::uint16_t id = next_id_;
    next_id_ = next_id_ == 65535 ? 1 : std::uint16_t(next_id_ + 1);
    if (!id_used_[id]) {
      id_used_[id] = true;
      return id;
    }
  }
  return 0;  // all 65535 in use: cannot happen, the window is at most 65535
}

PublishResult Session::publish(Publish msg) {
  if (msg.qos > 2)
    return {Accept::invalid, 0, Error{Errc::invalid_qos, PacketType::publish, "qos", 0},
            "QoS " + std::to_string(msg.qos) + ": must be 0, 1 or 2"};
  if (msg.qos > server_max_qos_) msg.qos = server_max_qos_;  // downgrade as the server demands
  msg.dup = false;
  msg.packet_id = msg.qos ? 1 : 0;  // placeholder for the size check
  const std::size_t size = encoded_size(msg, {cfg_.version, server_max_packet_});
  if (size == 0) {
    std::string why = publish_problem(msg, cfg_.version, server_max_packet_, server_max_announced_);
    const bool large = why.rfind("message of", 0) == 0;  // size problems (validate.hpp)
    if (why.empty()) why = "PUBLISH could not be encoded";
    return {large ? Accept::too_large : Accept::invalid, 0,
            Error{large ? Errc::packet_too_large : Errc::protocol_error, PacketType::publish, "", 0},
            std::move(why)};
  }
  const std::uint64_t token = next_token_++;
  ++stats_.published;
  // Fast path: connected, nothing queued ahead, room in the window and in the output.
  if (state_ == SessionState::connected && queue_.empty() && out_.size() < cfg_.max_output_bytes &&
      (msg.qos == 0 || window_open())) {
    if (msg.qos == 0) {
      msg.packet_id = 0;
      send_publish(msg);
    } else {
      start_flight(std::move(msg), token);
    }
    return {Accept::ok, token, {}};
  }
  if (!can_publish()) {
    --stats_.published;
    --next_token_;
    said_full_ = true;
    return {Accept::queue_full, 0, {}};
  }
  msg.packet_id = 0;
  queued_bytes_ += msg.payload.size() + msg.topic.size();
  queue_.push_back(Queued{std::move(msg), token});
  return {Accept::ok, token, {}};
}

void Session::start_flight(Publish&& m, std::uint64_t token) {
  const Stage st = m.qos == 1 ? Stage::puback : Stage::pubrec;
  m.packet_id = alloc_id();
  auto& o = inflight_.emplace_back(Outgoing{std::move(m), st, token, now_});
  by_id_[o.msg.packet_id] = &o;
  ++inflight_count_;
  if (!send_publish(o.msg)) finish(o, rc::implementation_specific_error, "PUBLISH could not be encoded");
}

void Session::pump() {
  if (state_ != SessionState::connected) return;
  std::string why;
  while (!queue_.empty() && out_.size() < cfg_.max_output_bytes) {
    Queued& q = queue_.front();
    if (q.msg.qos > 0 && !window_open()) break;
    queued_bytes_ -= q.msg.payload.size() + q.msg.topic.size();
    if (q.msg.qos > server_max_qos_) q.msg.qos = server_max_qos_;
    if (!fits(q.msg, &why)) fail_publish(q.token, rc::packet_too_large, std::move(why));
    else if (q.msg.qos == 0) send_publish(q.msg);
    else start_flight(std::move(q.msg), q.token);
    queue_.pop_front();
  }
  if (said_full_ && queue_.size() <= cfg_.max_queued / 2 && queued_bytes_ <= cfg_.max_queued_bytes / 2) {
    said_full_ = false;
    events_.push_back(ReadyEvent{});
  }
}

RequestResult Session::subscribe(std::vector<Subscription> subs, Properties props) {
  if (subs.empty()) return {0, "SUBSCRIBE needs at least one topic filter"};
  for (auto& sub : subs)
    if (auto why = subscription_problem(sub, cfg_.version); !why.empty()) return {0, std::move(why)};
  Subscribe s{1, std::move(props), std::move(subs)};
  std::vector<std::uint8_t> scratch;
  if (Error e = encode(Packet(s), scratch, {cfg_.version, server_max_packet_}))
    return {0, "SUBSCRIBE: " + e.message()};
  s.packet_id = alloc_id();
  const std::uint16_t id = s.packet_id;
  if (state_ == SessionState::connected) {
    (void)send(s);  // encodable: checked above against this connection's limits
    request_sent_[id] = now_;
  }
  pending_sub_.emplace(id, std::move(s));
  return {id, {}};
}

RequestResult Session::unsubscribe(std::vector<std::string> filters) {
  if (filters.empty()) return {0, "UNSUBSCRIBE needs at least one topic filter"};
  for (auto& f : filters)
    if (auto why = topic_filter_problem(f); !why.empty()) return {0, std::move(why)};
  Unsubscribe u{1, {}, std::move(filters)};
  std::vector<std::uint8_t> scratch;
  if (Error e = encode(Packet(u), scratch, {cfg_.version, server_max_packet_}))
    return {0, "UNSUBSCRIBE: " + e.message()};
  u.packet_id = alloc_id();
  const std::uint16_t id = u.packet_id;
  if (state_ == SessionState::connected) {
    (void)send(u);
    request_sent_[id] = now_;
  }
  pending_unsub_.emplace(id, std::move(u));
  return {id, {}};
}

// ---- deferred acknowledgements --------------------------------------------------------------

bool Session::ack(std::uint64_t ack_id, std::uint8_t reason) {
  if (ack_id == 0 || std::uint32_t(ack_id >> 16) != epoch_ || state_ != SessionState::connected)
    return false;
  const auto id = std::uint16_t(ack_id & 0xFFFF);
  if (in_seq_) {   // the usual case: the entry the index names (checked: ids are reused)
    const std::uint32_t at = in_seq_[id] - in_front_seq_;
    if (at < in_order_.size() && in_order_[at].packet_id == id && !in_order_[at].acked) {
      Incoming& in = in_order_[at];
      in.acked = true;
      in.reason = cfg_.version == Version::v5 ? reason : 0;
      release_acks();
      return true;
    }
  }
  for (auto& in : in_order_) {
    if (in.packet_id != id || in.acked) continue;
    in.acked = true;
    in.reason = cfg_.version == Version::v5 ? reason : 0;
    release_acks();
    return true;
  }
  return false;
}

void Session::abandon_unacked() {
  std::erase_if(in_order_, [this](const Incoming& in) {
    if (in.acked) return false;
    if (in.qos == 2) qos2_in_.erase(in.packet_id);
    in_order_qos1_ -= in.qos == 1;
    return true;
  });
  release_acks();
}

// Acknowledgements leave in the order the messages arrived (MQTT 5.0 §4.6).
void Session::release_acks() {
  while (!in_order_.empty() && in_order_.front().acked) {
    const Incoming in = in_order_.front();
    in_order_.pop_front();
    ++in_front_seq_;
    in_order_qos1_ -= in.qos == 1;
    if (in.qos == 1) {
      (void)send(Puback{{in.packet_id, in.reason, {}}});
    } else {
      (void)send(Pubrec{{in.packet_id, in.reason, {}}});
      if (in.reason >= 0x80) qos2_in_.erase(in.packet_id);  // a failing PUBREC ends the flow
    }
  }
}

// ---- input ----------------------------------------------------------------------------------

std::size_t Session::receive(std::span<const std::uint8_t> data, TimePoint now) {
  now_ = now;
  DecodeOptions o{cfg_.version, cfg_.max_packet_size ? cfg_.max_packet_size : max_packet_size_limit};
  // A server that only speaks 3.1.1 answers a 5.0 CONNECT with a 3.1.1 CONNACK carrying return
  // code 1 (no such reason code exists in 5.0): report the real cause, not a decoding error.
  if (state_ == SessionState::connecting && cfg_.version == Version::v5 && data.size() >= 4 &&
      data[0] == 0x20 && data[1] == 0x02 && data[3] == rc::v3_unacceptable_protocol_version) {
    state_ = SessionState::closing;
    events_.push_back(ClosedEvent{rc::unsupported_protocol_version,
        "connection refused: the server does not support MQTT 5.0 (it answered with an MQTT "
        "3.1.1 CONNACK, return code 1: unacceptable protocol version); use MQTT 3.1.1",
        true, true});
    return data.size();
  }
  std::size_t pos = 0;
  std::size_t needed = 0;
  while (pos < data.size() && state_ != SessionState::disconnected && state_ != SessionState::closing) {
    Decoded d = decode(data.subspan(pos), o);
    if (d.status == DecodeStatus::need_more) {
      needed = d.needed;
      break;
    }
    if (d.status == DecodeStatus::error) {
      protocol_error(d.error.reason_code(), "malformed packet from the server: " + d.error.message());
      return data.size();
    }
    pos += d.consumed;
    if (!handle(std::move(d.packet), now)) return data.size();
  }
  if (pos < data.size()) {  // an incomplete packet starts at pos
    if (pos > 0 || !partial_since_) partial_since_ = now;
    partial_have_ = data.size() - pos;
    partial_need_ = needed;
  } else {
    partial_since_.reset();
  }
  return pos;
}

bool Session::handle(Packet&& p, TimePoint now) {
  (void)now;
  const PacketType t = type_of(p);
  if (state_ == SessionState::connecting && t != PacketType::connack && t != PacketType::auth &&
      t != PacketType::disconnect) {
    protocol_error(rc::protocol_error, std::string("expected CONNACK, got ") + packet_type_name(t));
    return false;
  }
  switch (t) {
    case PacketType::connack:
      if (state_ != SessionState::connecting) {
        protocol_error(rc::protocol_error, "unexpected CONNACK");
        return false;
      }
      on_connack(std::get<Connack>(p));
      return state_ == SessionState::connected;
    case PacketType::publish: on_publish(std::get<Publish>(p)); break;
    case PacketType::puback: on_ack(t, std::get<Puback>(p)); break;
    case PacketType::pubrec: on_ack(t, std::get<Pubrec>(p)); break;
    case PacketType::pubrel: on_ack(t, std::get<Pubrel>(p)); break;
    case PacketType::pubcomp: on_ack(t, std::get<Pubcomp>(p)); break;
    case PacketType::suback: {
      auto& s = std::get<Suback>(p);
      if (pending_sub_.erase(s.packet_id)) {
        free_id(s.packet_id);
        request_sent_.erase(s.packet_id);
        events_.push_back(SubackEvent{s.packet_id, std::move(s.reasons), std::move(s.props)});
      }
      break;
    }
    case PacketType::unsuback: {
      auto& u = std::get<Unsuback>(p);
      if (pending_unsub_.erase(u.packet_id)) {
        free_id(u.packet_id);
        request_sent_.erase(u.packet_id);
        events_.push_back(UnsubackEvent{u.packet_id, std::move(u.reasons)});
      }
      break;
    }
    case PacketType::pingresp: ping_outstanding_ = false; break;
    case PacketType::disconnect: {
      auto& d = std::get<Disconnect>(p);
      state_ = SessionState::closing;
      auto why = std::string("server sent DISCONNECT: ") + reason_name(d.reason, t);
      if (auto rs = d.props.str(PropId::reason_string)) why += " (" + std::string(*rs) + ")";
      events_.push_back(ClosedEvent{d.reason, std::move(why), true, disconnect_reason_permanent(d.reason)});
      return false;
    }
    case PacketType::auth:
      protocol_error(rc::bad_authentication_method, "enhanced authentication is not supported");
      std::get<ClosedEvent>(events_.back()).permanent = true;  // retrying cannot help
      return false;
    default:
      protocol_error(rc::protocol_error, std::string("a server must not send ") + packet_type_name(t));
      return false;
  }
  return state_ == SessionState::connected;
}

void Session::on_connack(Connack& c) {
  if (c.reason != 0) {
    state_ = SessionState::closing;
    std::string why = "connection refused: " + connack_refusal_text(c.reason, cfg_.version);
    if (auto rs = c.props.str(PropId::reason_string)) why += ": " + std::string(*rs);
    events_.push_back(ClosedEvent{c.reason, std::move(why), true,
                                  connack_refusal_permanent(c.reason, cfg_.version)});
    return;
  }
  state_ = SessionState::connected;
  first_connect_ = false;
  server_receive_max_ = cfg_.version == Version::v5
      ? std::uint16_t(c.props.num(PropId::receive_maximum).value_or(65535))
      : std::max<std::uint16_t>(cfg_.v311_server_window, 1);
  server_max_packet_ = c.props.num(PropId::maximum_packet_size).value_or(max_packet_size_limit);
  server_max_announced_ = c.props.find(PropId::maximum_packet_size) != nullptr;
  server_alias_max_ = std::uint16_t(c.props.num(PropId::topic_alias_maximum).value_or(0));
  server_max_qos_ = std::uint8_t(c.props.num(PropId::maximum_qos).value_or(2));
  keep_alive_ = std::uint16_t(c.props.num(PropId::server_keep_alive).value_or(cfg_.keep_alive));
  if (auto id = c.props.str(PropId::assigned_client_identifier)) client_id_ = std::string(*id);
  alias_out_.clear();
  alias_out_sent_.assign(std::size_t(server_alias_max_) + 1, 0);
  alias_in_.assign(std::size_t(cfg_.topic_alias_maximum) + 1, std::string());

  if (!c.session_present) {
    // The server has no session: what was in flight goes back to the front of the queue as new
    // messages (at-least-once is kept), QoS 2 receive state is void.
    std::vector<Queued> again;
    std::vector<Outgoing*> released;
    for (auto& o : inflight_) {
      if (o.stage == Stage::done) continue;
      if (o.stage == Stage::pubcomp) {  // the server took it at PUBREC: complete
        released.push_back(&o);
        continue;
      }
      free_id(o.msg.packet_id);
      by_id_.erase(o.msg.packet_id);
      o.msg.dup = false;
      o.msg.packet_id = 0;
      queued_bytes_ += o.msg.payload.size() + o.msg.topic.size();
      again.push_back(Queued{std::move(o.msg), o.token});
      ++stats_.requeued;
    }
    for (auto* o : released) {
      o->stage = Stage::done;
      by_id_.erase(o->msg.packet_id);
      free_id(o->msg.packet_id);
      events_.push_back(PublishDoneEvent{o->token, o->msg.packet_id, 0});
    }
    inflight_.clear();
    inflight_count_ = 0;
    queue_.insert(queue_.begin(), std::make_move_iterator(again.begin()), std::make_move_iterator(again.end()));
    qos2_in_.clear();
  } else {
    // Resend everything unacknowledged with its original packet identifier (§4.4).
    std::vector<Outgoing*> too_large;
    for (auto& o : inflight_) {
      o.sent = now_;
      if (o.stage == Stage::puback || o.stage == Stage::pubrec) {
        o.msg.dup = true;
        if (!send_publish(o.msg)) too_large.push_back(&o);  // the new server's limit is lower
        ++stats_.resent;
      } else if (o.stage == Stage::pubcomp) {
        (void)send(Pubrel{{o.msg.packet_id, 0, {}}});
        ++stats_.resent;
      }
    }
    for (auto* o : too_large)
      finish(*o, rc::packet_too_large, "message too large for the server's Maximum Packet Size of " +
                                           std::to_string(server_max_packet_) + " bytes");
  }
  // SUBSCRIBE / UNSUBSCRIBE that were not acknowledged are sent again; one that no longer fits
  // this server fails alone.
  std::vector<std::uint16_t> failed;
  for (auto& [id, s] : pending_sub_) {
    if (Error e = send(s)) {
      events_.push_back(SubackEvent{id, std::vector<std::uint8_t>(s.subs.size(), rc::unspecified_error),
                                    {}, "SUBSCRIBE: " + e.message()});
      failed.push_back(id);
    } else {
      request_sent_[id] = now_;
    }
  }
  for (auto id : failed) { pending_sub_.erase(id); free_id(id); }
  for (auto& [id, u] : pending_unsub_) {
    (void)send(u);
    request_sent_[id] = now_;
  }
  events_.push_back(ConnectedEvent{c.session_present, std::move(c)});
  pump();
}

void Session::on_publish(Publish& p) {
  if (cfg_.version == Version::v5) {
    if (auto a = p.props.num(PropId::topic_alias)) {
      if (*a == 0 || *a > cfg_.topic_alias_maximum) {
        protocol_error(rc::topic_alias_invalid, "topic alias out of range");
        return;
      }
      if (p.topic.empty()) {
        if (alias_in_[*a].empty()) {
          protocol_error(rc::protocol_error, "unknown topic alias");
          return;
        }
        p.topic = alias_in_[*a];
      } else {
        alias_in_[*a] = p.topic;
      }
    }
  }
  const std::uint16_t id = p.packet_id;
  if (p.qos == 2 && qos2_in_.count(id)) {
    // Duplicate of a message already delivered: acknowledge again, unless the application has
    // not acknowledged it yet (then its PUBREC goes out when it does).
    bool waiting = false;
    for (auto& in : in_order_) waiting |= in.packet_id == id && in.qos == 2;
    if (!waiting) (void)send(Pubrec{{id, 0, {}}});
    return;
  }
  if (p.qos == 0) {
    if (draining_) return;
    ++stats_.received;
    events_.push_back(MessageEvent{std::move(p), 0});
    return;
  }
  // Shutting down: not delivered, not acknowledged; the server keeps it for the session.
  if (draining_) return;
  const std::size_t owed = qos2_in_.size() + in_order_qos1_;
  if (owed >= cfg_.receive_maximum) {
    if (!cfg_.tolerate_receive_maximum) {
      protocol_error(rc::receive_maximum_exceeded, "server exceeded our Receive Maximum");
      return;
    }
    ++stats_.over_receive_maximum;
  }
  ++stats_.received;
  if (p.qos == 2) qos2_in_.insert(id);
  if (cfg_.manual_acks) {
    if (!in_seq_) in_seq_ = std::make_unique_for_overwrite<std::uint32_t[]>(65536);
    in_seq_[id] = in_front_seq_ + std::uint32_t(in_order_.size());
    in_order_.push_back(Incoming{id, p.qos, false, 0});
    in_order_qos1_ += p.qos == 1;
    events_.push_back(MessageEvent{std::move(p), (std::uint64_t(epoch_) << 16) | id});
    return;
  }
  // Automatic: the acknowledgement is written after the callbacks of this read batch ran.
  const std::uint8_t qos = p.qos;
  events_.push_back(MessageEvent{std::move(p), 0});
  if (qos == 1) (void)send(Puback{{id, 0, {}}});
  else (void)send(Pubrec{{id, 0, {}}});
}

void Session::finish(Outgoing& o, std::uint8_t reason, std::string why) {
  o.stage = Stage::done;
  --inflight_count_;
  by_id_.erase(o.msg.packet_id);
  free_id(o.msg.packet_id);
  events_.push_back(PublishDoneEvent{o.token, o.msg.packet_id, reason, std::move(why)});
  o.msg = Publish{};
  while (!inflight_.empty() && inflight_.front().stage == Stage::done) inflight_.pop_front();
}

void Session::on_ack(PacketType t, const AckBase& a) {
  auto found = by_id_.find(a.packet_id);
  Outgoing* o = found == by_id_.end() ? nullptr : found->second;
  switch (t) {
    case PacketType::puback:
      if (o && o->stage == Stage::puback) finish(*o, a.reason);
      break;
    case PacketType::pubrec:
      if (o && o->stage == Stage::pubrec) {
        if (a.reason >= 0x80) {
          finish(*o, a.reason);
          break;
        }
        o->stage = Stage::pubcomp;
        o->msg.payload.clear();
        o->msg.payload.shrink_to_fit();
        (void)send(Pubrel{{a.packet_id, 0, {}}});
      } else if (!o || o->stage != Stage::pubcomp) {
        (void)send(Pubrel{{a.packet_id, rc::packet_identifier_not_found, {}}});
      } else {
        (void)send(Pubrel{{a.packet_id, 0, {}}});
      }
      break;
    case PacketType::pubcomp:
      if (o && o->stage == Stage::pubcomp) finish(*o, a.reason);
      break;
    case PacketType::pubrel: {
      bool known = qos2_in_.erase(a.packet_id) > 0;
      (void)send(Pubcomp{{a.packet_id, known ? std::uint8_t(0) : rc::packet_identifier_not_found, {}}});
      break;
    }
    default: break;
  }
  pump();
}

// ---- keep-alive -----------------------------------------------------------------------------

namespace {
std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }
}  // namespace

// The oldest acknowledgement we wait for: the front of the in-flight list (publishes are sent
// in that order) or a SUBSCRIBE/UNSUBSCRIBE.
std::optional<TimePoint> Session::oldest_request(std::string* what) const {
  std::optional<TimePoint> t;
  if (!inflight_.empty()) {
    const Outgoing& o = inflight_.front();
    t = o.sent;
    if (what) {
      *what = std::string(o.stage == Stage::puback ? "PUBACK" : o.stage == Stage::pubrec ? "PUBREC"
                                                                                           : "PUBCOMP") +
              " for PUBLISH " + std::to_string(o.msg.packet_id);
    }
  }
  for (auto& [id, sent] : request_sent_) {
    if (!t || sent < *t) {
      t = sent;
      if (what)
        *what = (pending_sub_.count(id) ? "SUBACK for SUBSCRIBE " : "UNSUBACK for UNSUBSCRIBE ") +
                std::to_string(id);
    }
  }
  return t;
}

void Session::tick(TimePoint now) {
  now_ = now;
  if (state_ != SessionState::connected) return;
  if (cfg_.packet_timeout.count() > 0 && partial_since_ && now - *partial_since_ >= cfg_.packet_timeout) {
    close_transient(rc::unspecified_error,
                    "a packet from the server did not finish arriving within " +
                        ms_text(cfg_.packet_timeout) + " (" + std::to_string(partial_have_) + " of " +
                        (partial_need_ ? std::to_string(partial_need_) : std::string("?")) + " bytes)");
    return;
  }
  if (cfg_.ack_timeout.count() > 0) {
    std::string what;
    auto t = oldest_request(&what);
    if (t && now - *t >= cfg_.ack_timeout) {
      close_transient(rc::unspecified_error, "no " + what + " within " + ms_text(cfg_.ack_timeout));
      return;
    }
  }
  if (keep_alive_ == 0) return;
  const auto ka = std::chrono::seconds(keep_alive_);
  if (ping_outstanding_) {
    if (now - ping_sent_ >= ka) protocol_error(rc::keep_alive_timeout, "no PINGRESP within keep-alive");
    return;
  }
  if (now - last_sent_ >= ka) {
    (void)send(Pingreq{});
    ping_outstanding_ = true;
    ping_sent_ = now;
    last_sent_ = now;
  }
}

std::optional<TimePoint> Session::next_deadline() const {
  if (state_ != SessionState::connected) return std::nullopt;
  std::optional<TimePoint> d;
  auto earliest = [&](TimePoint t) { if (!d || t < *d) d = t; };
  if (keep_alive_ != 0) {
    const auto ka = std::chrono::seconds(keep_alive_);
    earliest(ping_outstanding_ ? ping_sent_ + ka : last_sent_ + ka);
  }
  if (cfg_.packet_timeout.count() > 0 && partial_since_) earliest(*partial_since_ + cfg_.packet_timeout);
  if (cfg_.ack_timeout.count() > 0)
    if (auto t = oldest_request(nullptr)) earliest(*t + cfg_.ack_timeout);
  return d;
}

}  // namespace weir::mqtt
