// Session state machine (see session.hpp and docs/runtime-mqtt.md for the policies).
#include "weir/mqtt/session.hpp"
#include "weir/mqtt/reason.hpp"
#include "weir/mqtt/topic.hpp"
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

void Session::send(const Packet& p) {
  EncodeOptions o{cfg_.version, server_max_packet_};
  last_sent_ = now_;
  if (Error e = encode(p, out_, o)) {
    // Only reachable through a bug or an oversized SUBSCRIBE: report it, do not crash.
    events_.push_back(ClosedEvent{rc::implementation_specific_error, "encode: " + e.message(), false});
  }
}

void Session::send_publish(Publish& m) {
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
  if (e) events_.push_back(ClosedEvent{rc::implementation_specific_error, "encode: " + e.message(), false});
}

void Session::take_output(std::vector<std::uint8_t>& buf) {
  buf.clear();
  buf.swap(out_);
  pump();
}

void Session::protocol_error(std::uint8_t reason, std::string why) {
  if (cfg_.version == Version::v5 && state_ != SessionState::disconnected)
    send(Disconnect{reason, {}});
  state_ = SessionState::closing;
  events_.push_back(ClosedEvent{reason, std::move(why), false});
}

// ---- lifecycle ------------------------------------------------------------------------------

void Session::connection_opened(TimePoint now) {
  out_.clear();
  now_ = now;
  state_ = SessionState::connecting;
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
    if (cfg_.receive_maximum != 65535) c.props.set(PropId::receive_maximum, cfg_.receive_maximum);
    if (cfg_.max_packet_size) c.props.set(PropId::maximum_packet_size, cfg_.max_packet_size);
    if (cfg_.topic_alias_maximum) c.props.set(PropId::topic_alias_maximum, cfg_.topic_alias_maximum);
  }
  c.will = cfg_.will;
  if (c.will && cfg_.version == Version::v311) c.will->props = {};
  c.username = cfg_.username;
  c.password = cfg_.password;
  send(c);
  last_sent_ = now;
  ping_outstanding_ = false;
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
}

void Session::disconnect(std::uint8_t reason) {
  if (state_ == SessionState::connected || state_ == SessionState::connecting) {
    send(Disconnect{reason, {}});
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
  if (msg.qos > 2) return {Accept::invalid, 0, Error{Errc::invalid_qos, PacketType::publish, "qos", 0}};
  if (!is_valid_topic_name(msg.topic))
    return {Accept::invalid, 0, Error{Errc::invalid_topic_name, PacketType::publish, "topic name", 0}};
  if (msg.qos > server_max_qos_) msg.qos = server_max_qos_;  // downgrade as the server demands
  msg.dup = false;
  msg.packet_id = msg.qos ? 1 : 0;  // placeholder for the size check
  const std::size_t size = encoded_size(msg, {cfg_.version});
  if (size == 0)
    return {Accept::invalid, 0, Error{Errc::protocol_error, PacketType::publish, "properties", 0}};
  if (size > server_max_packet_)
    return {Accept::too_large, 0, Error{Errc::packet_too_large, PacketType::publish, "", 0}};
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
  auto& o = inflight_.emplace_back(Outgoing{std::move(m), st, token});
  by_id_[o.msg.packet_id] = &o;
  ++inflight_count_;
  send_publish(o.msg);
}

void Session::pump() {
  if (state_ != SessionState::connected) return;
  while (!queue_.empty() && out_.size() < cfg_.max_output_bytes) {
    Queued& q = queue_.front();
    if (q.msg.qos > 0 && !window_open()) break;
    queued_bytes_ -= q.msg.payload.size() + q.msg.topic.size();
    if (q.msg.qos == 0) send_publish(q.msg);
    else start_flight(std::move(q.msg), q.token);
    queue_.pop_front();
  }
  if (said_full_ && queue_.size() <= cfg_.max_queued / 2 && queued_bytes_ <= cfg_.max_queued_bytes / 2) {
    said_full_ = false;
    events_.push_back(ReadyEvent{});
  }
}

std::uint16_t Session::subscribe(std::vector<Subscription> subs, Properties props) {
  Subscribe s{alloc_id(), std::move(props), std::move(subs)};
  if (state_ == SessionState::connected) send(s);
  pending_sub_.emplace(s.packet_id, std::move(s));
  return s.packet_id;
}

std::uint16_t Session::unsubscribe(std::vector<std::string> filters) {
  Unsubscribe u{alloc_id(), {}, std::move(filters)};
  if (state_ == SessionState::connected) send(u);
  pending_unsub_.emplace(u.packet_id, std::move(u));
  return u.packet_id;
}

// ---- input ----------------------------------------------------------------------------------

std::size_t Session::receive(std::span<const std::uint8_t> data, TimePoint now) {
  now_ = now;
  DecodeOptions o{cfg_.version, cfg_.max_packet_size ? cfg_.max_packet_size : max_packet_size_limit};
  std::size_t pos = 0;
  while (pos < data.size() && state_ != SessionState::disconnected && state_ != SessionState::closing) {
    Decoded d = decode(data.subspan(pos), o);
    if (d.status == DecodeStatus::need_more) break;
    if (d.status == DecodeStatus::error) {
      protocol_error(d.error.reason_code(), d.error.message());
      return data.size();
    }
    pos += d.consumed;
    if (!handle(std::move(d.packet), now)) return data.size();
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
        events_.push_back(SubackEvent{s.packet_id, std::move(s.reasons), std::move(s.props)});
      }
      break;
    }
    case PacketType::unsuback: {
      auto& u = std::get<Unsuback>(p);
      if (pending_unsub_.erase(u.packet_id)) {
        free_id(u.packet_id);
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
      events_.push_back(ClosedEvent{d.reason, std::move(why), true});
      return false;
    }
    case PacketType::auth:
      protocol_error(rc::bad_authentication_method, "enhanced authentication is not supported");
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
    std::string why = "connection refused: ";
    why += cfg_.version == Version::v5 ? reason_name(c.reason, PacketType::connack)
                                       : ("return code " + std::to_string(c.reason));
    if (auto rs = c.props.str(PropId::reason_string)) why += " (" + std::string(*rs) + ")";
    events_.push_back(ClosedEvent{c.reason, std::move(why), true});
    return;
  }
  state_ = SessionState::connected;
  first_connect_ = false;
  server_receive_max_ = cfg_.version == Version::v5
      ? std::uint16_t(c.props.num(PropId::receive_maximum).value_or(65535))
      : std::max<std::uint16_t>(cfg_.v311_server_window, 1);
  server_max_packet_ = c.props.num(PropId::maximum_packet_size).value_or(max_packet_size_limit);
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
    for (auto& o : inflight_) {
      if (o.stage == Stage::puback || o.stage == Stage::pubrec) {
        o.msg.dup = true;
        send_publish(o.msg);
        ++stats_.resent;
      } else if (o.stage == Stage::pubcomp) {
        send(Pubrel{{o.msg.packet_id, 0, {}}});
        ++stats_.resent;
      }
    }
  }
  // SUBSCRIBE / UNSUBSCRIBE that were not acknowledged are sent again.
  for (auto& [id, s] : pending_sub_) send(s);
  for (auto& [id, u] : pending_unsub_) send(u);
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
  ++stats_.received;
  switch (p.qos) {
    case 0: events_.push_back(MessageEvent{std::move(p)}); break;
    case 1: {
      const std::uint16_t id = p.packet_id;
      events_.push_back(MessageEvent{std::move(p)});
      send(Puback{{id, 0, {}}});
      break;
    }
    case 2: {
      const std::uint16_t id = p.packet_id;
      if (qos2_in_.count(id)) {  // duplicate: already delivered, only acknowledge again
        send(Pubrec{{id, 0, {}}});
        break;
      }
      if (qos2_in_.size() >= cfg_.receive_maximum) {
        protocol_error(rc::receive_maximum_exceeded, "server exceeded our Receive Maximum");
        return;
      }
      qos2_in_.insert(id);
      events_.push_back(MessageEvent{std::move(p)});
      send(Pubrec{{id, 0, {}}});
      break;
    }
  }
}

void Session::finish(Outgoing& o, std::uint8_t reason) {
  o.stage = Stage::done;
  --inflight_count_;
  by_id_.erase(o.msg.packet_id);
  free_id(o.msg.packet_id);
  events_.push_back(PublishDoneEvent{o.token, o.msg.packet_id, reason});
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
        send(Pubrel{{a.packet_id, 0, {}}});
      } else if (!o || o->stage != Stage::pubcomp) {
        send(Pubrel{{a.packet_id, rc::packet_identifier_not_found, {}}});
      } else {
        send(Pubrel{{a.packet_id, 0, {}}});
      }
      break;
    case PacketType::pubcomp:
      if (o && o->stage == Stage::pubcomp) finish(*o, a.reason);
      break;
    case PacketType::pubrel: {
      bool known = qos2_in_.erase(a.packet_id) > 0;
      send(Pubcomp{{a.packet_id, known ? std::uint8_t(0) : rc::packet_identifier_not_found, {}}});
      break;
    }
    default: break;
  }
  pump();
}

// ---- keep-alive -----------------------------------------------------------------------------

void Session::tick(TimePoint now) {
  now_ = now;
  if (state_ != SessionState::connected || keep_alive_ == 0) return;
  const auto ka = std::chrono::seconds(keep_alive_);
  if (ping_outstanding_) {
    if (now - ping_sent_ >= ka) protocol_error(rc::keep_alive_timeout, "no PINGRESP within keep-alive");
    return;
  }
  if (now - last_sent_ >= ka) {
    send(Pingreq{});
    ping_outstanding_ = true;
    ping_sent_ = now;
    last_sent_ = now;
  }
}

std::optional<TimePoint> Session::next_deadline() const {
  if (state_ != SessionState::connected || keep_alive_ == 0) return std::nullopt;
  const auto ka = std::chrono::seconds(keep_alive_);
  return ping_outstanding_ ? ping_sent_ + ka : last_sent_ + ka;
}

}  // namespace weir::mqtt
