// The media payloads mcr-gen can send instead of its own test payload (payload.h), and
// what mcr-sink checks in them: RTP (RFC 3550) around the test payload, and MPEG-TS in
// RTP (seven 188-byte packets per datagram, as IPTV sends). It owns their byte layout on
// the sending side; the receiving side's definitions of loss and continuity errors are
// the relay's own (native/core/rtp.h, mpegts.h), so the tool and mcr count alike.
// No I/O; MediaCheck allocates once, in its constructor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "../core/mpegts.h"
#include "../core/rtp.h"

namespace mcr::tools {

enum class MediaKind : uint8_t { kTest, kRtp, kRtpMpegTs, kMpegTs };

// "test" (the mcr payload), "rtp", "rtp-mpegts", "mpegts"; false for anything else.
bool ParseMediaKind(const std::string& text, MediaKind* out);

inline constexpr size_t kRtpHeaderSize = 12;
inline constexpr uint32_t kTsPerDatagram = 7;
inline constexpr size_t kRtpMpegTsSize = kRtpHeaderSize + kTsPerDatagram * kTsPacketSize;  // 1328
inline constexpr uint8_t kRtpPayloadTypeDynamic = 96;
inline constexpr uint8_t kRtpPayloadTypeMp2t = 33;
inline constexpr uint32_t kRtpClockRate = 90000;
inline constexpr uint32_t kRtpSsrc = 0x6d637231;  // "mcr1"
inline constexpr uint16_t kTsPid = 0x100;

// The RTP timestamp of datagram `index` of a stream sent at `rate` per second (0: as
// fast as possible, where the timestamp advances one 90 kHz tick per datagram).
uint32_t RtpTimestamp(uint64_t index, uint64_t rate);

// Writes datagram `index` of kind `kind` into buf[0, size): RTP header with sequence
// index mod 2^16 and its timestamp, then the test payload (kRtp; size >= 12) or seven TS
// packets on kTsPid with continuity counters 7 * index + k mod 16 (kRtpMpegTs; size
// must be kRtpMpegTsSize). kTest is payload.h's own.
// first_sequence is added to the RTP sequence number (RFC 3550 would have it random; a
// test wants it known).
void FillMedia(MediaKind kind, uint32_t stream, uint64_t index, uint64_t rate, uint32_t size, uint8_t* buf,
               uint16_t first_sequence = 0);

// A receiver's view of one stream of RTP and/or MPEG-TS datagrams.
class MediaCheck {
 public:
  explicit MediaCheck(MediaKind kind);
  void Take(const uint8_t* data, size_t len);
  // {"rtp":{...},"ts":{...}} parts for the report (the ones the kind has), as JSON.
  std::string Report() const;

 private:
  MediaKind kind_;
  RtpSequence sequence_;
  TsAnalyzer ts_;
  uint64_t rtp_datagrams_ = 0;
  uint64_t not_rtp_ = 0;
  uint64_t first_extended_ = 0;
  bool started_ = false;
};

}  // namespace mcr::tools
