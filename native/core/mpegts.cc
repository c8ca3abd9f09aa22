#include "mpegts.h"

namespace mcr {
namespace {

constexpr uint8_t kSeen = 0x80;
constexpr uint8_t kRepeated = 0x40;  // the last packet repeated the one before it
constexpr uint8_t kCounterMask = 0x0f;

}  // namespace

bool LooksLikeTs(const uint8_t* data, size_t len) {
  if (data == nullptr || len == 0 || len % kTsPacketSize != 0) return false;
  for (size_t at = 0; at < len; at += kTsPacketSize) {
    if (data[at] != kTsSyncByte) return false;
  }
  return true;
}

TsAnalyzer::TsAnalyzer() : pids_(new uint8_t[kTsPidCount]()) {}

void TsAnalyzer::Observe(const uint8_t* data, size_t len) {
  if (data == nullptr || len == 0) return;
  size_t at = 0;
  for (; at + kTsPacketSize <= len; at += kTsPacketSize) {
    if (data[at] != kTsSyncByte) break;
    Packet(data + at);
  }
  if (at != len) ++counts_.sync_loss;
}

void TsAnalyzer::Packet(const uint8_t* packet) {
  ++counts_.packets;
  const uint16_t pid = static_cast<uint16_t>(((packet[1] & 0x1f) << 8) | packet[2]);
  uint8_t& state = pids_[pid];
  if ((state & kSeen) == 0) ++counts_.pids;
  if ((packet[1] & 0x80) != 0) {
    // Damaged on the way: its header bits cannot be trusted, so its counter is not
    // compared (and does not become the one the next packet is compared with).
    ++counts_.tei;
    state |= kSeen;
    return;
  }
  const uint8_t control = (packet[3] >> 4) & 0x3;
  const uint8_t counter = packet[3] & kCounterMask;
  // Adaptation field control 00 is reserved: decoders discard such packets.
  if (control == 0 || pid == kTsNullPid) {
    state |= kSeen;
    return;
  }
  const bool adaptation = (control & 0x2) != 0;
  const bool payload = (control & 0x1) != 0;
  // The discontinuity indicator: the adaptation field is present and not empty, and its
  // first flag bit is set. Byte 4 is the field's length, byte 5 its flags.
  const bool discontinuity = adaptation && packet[4] > 0 && (packet[5] & 0x80) != 0;
  if ((state & kSeen) == 0 || discontinuity) {
    state = static_cast<uint8_t>(kSeen | counter);
    return;
  }
  const uint8_t last = state & kCounterMask;
  bool repeated = false;
  bool error = false;
  if (!payload) {
    // Without a payload the counter must not move.
    error = counter != last;
  } else if (counter == ((last + 1) & kCounterMask)) {
    error = false;
  } else if (counter == last) {
    // A duplicate packet: allowed once, an error the second time.
    error = (state & kRepeated) != 0;
    repeated = true;
  } else {
    error = true;
  }
  if (error) ++counts_.cc_errors;
  state = static_cast<uint8_t>(kSeen | (repeated ? kRepeated : 0) | counter);
}

}  // namespace mcr
