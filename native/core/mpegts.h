// MPEG transport stream (ISO/IEC 13818-1) checks on the 188-byte packets one datagram
// carries: continuity counters per PID, the transport error indicator, sync, and which
// PIDs are present. It owns the definition of a continuity error; it must not do I/O,
// allocate after construction, or read outside the bytes it is given (untrusted
// payload). One TsAnalyzer per stream, used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace mcr {

inline constexpr size_t kTsPacketSize = 188;
inline constexpr uint8_t kTsSyncByte = 0x47;
inline constexpr uint16_t kTsPidCount = 8192;
inline constexpr uint16_t kTsNullPid = 0x1fff;

// True when data[0, len) is one or more whole TS packets, each starting with the sync
// byte: what "auto" payload detection calls MPEG-TS.
bool LooksLikeTs(const uint8_t* data, size_t len);

struct TsCounts {
  uint64_t packets = 0;
  // Continuity errors (ISO/IEC 13818-1 2.4.3.3; ETSI TR 101 290 1.4): on a PID, a packet
  // with a payload whose counter is not one more than the last, or one without a payload
  // whose counter changed. A single repeat of a packet with a payload (same counter) is
  // allowed, a second repeat is an error; a discontinuity indicator in the adaptation
  // field allows any counter; the null PID 0x1FFF is not checked.
  uint64_t cc_errors = 0;
  // Packets with the transport error indicator set (a demodulator marked them damaged);
  // their counters are not checked.
  uint64_t tei = 0;
  // Datagrams that are not whole sync-aligned packets: a length that is not a multiple
  // of 188, or a packet that does not start with 0x47. The rest of such a datagram is
  // not read.
  uint64_t sync_loss = 0;
  // Distinct PIDs seen (the null PID included).
  uint32_t pids = 0;
};

class TsAnalyzer {
 public:
  // Allocates the per-PID state (8 KiB): do it when the rule is set, not per datagram.
  TsAnalyzer();

  // Checks every packet of one datagram's payload (or of an RTP payload).
  void Observe(const uint8_t* data, size_t len);

  const TsCounts& counts() const { return counts_; }

 private:
  void Packet(const uint8_t* packet);

  // Per PID: kSeen, kRepeated, and the last continuity counter in the low four bits.
  std::unique_ptr<uint8_t[]> pids_;
  TsCounts counts_;
};

}  // namespace mcr
