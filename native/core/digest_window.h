// What a reflector relayed lately, for loop suppression: a fixed-size table of 64-bit
// digests (sender, destination and payload, DatagramDigest) with the time each was
// relayed. A datagram whose digest was recorded less than `window` ago is one the relay
// has already sent on (the same datagram coming back through another relay, or through
// a second path), and is dropped. Fixed memory, no allocation after construction, no
// clock (times are passed in), no locking (callers that share a window serialise).
//
// Open addressing with a short probe: an entry older than the window is free space. When
// every slot of a probe holds a fresh entry (more distinct datagrams within one window
// than the table was sized for), the oldest of them is overwritten: suppression then
// forgets early rather than the relay refusing or allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "address.h"

namespace mcr {

// A 64-bit digest of one datagram as a loop would bring it back: its sender (address
// and port), destination (address and port) and payload. Not cryptographic: a collision
// suppresses one datagram for one window, and senders cannot aim at another's digest
// without seeing it anyway.
uint64_t DatagramDigest(const IpAddress& src, uint16_t src_port, const IpAddress& dst, uint16_t dst_port,
                        const uint8_t* payload, size_t length);

class DigestWindow {
 public:
  static constexpr size_t kProbe = 8;

  // capacity: rounded up to a power of two, at least kProbe.
  explicit DigestWindow(size_t capacity = 4096);

  // True when digest was recorded within window_ns before now_ns.
  bool Contains(uint64_t digest, uint64_t now_ns, uint64_t window_ns) const;
  // Records digest as relayed at now_ns (refreshing it if present).
  void Record(uint64_t digest, uint64_t now_ns, uint64_t window_ns);

  size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    uint64_t digest = 0;
    uint64_t at_ns = 0;
    bool used = false;
  };
  static bool Fresh(const Slot& slot, uint64_t now_ns, uint64_t window_ns) {
    return slot.used && now_ns - slot.at_ns < window_ns && slot.at_ns <= now_ns;
  }
  size_t Home(uint64_t digest) const { return static_cast<size_t>(digest) & (slots_.size() - 1); }

  std::vector<Slot> slots_;
};

}  // namespace mcr
