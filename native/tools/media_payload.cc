// Implementation of media_payload.h.
#include "media_payload.h"

#include <cstring>

#include "json_line.h"
#include "payload.h"

namespace mcr::tools {

bool ParseMediaKind(const std::string& text, MediaKind* out) {
  if (text == "test") *out = MediaKind::kTest;
  else if (text == "rtp") *out = MediaKind::kRtp;
  else if (text == "rtp-mpegts") *out = MediaKind::kRtpMpegTs;
  else if (text == "mpegts") *out = MediaKind::kMpegTs;
  else return false;
  return true;
}

uint32_t RtpTimestamp(uint64_t index, uint64_t rate) {
  if (rate == 0) return static_cast<uint32_t>(index);
  // index / rate seconds, in 90 kHz ticks, split into whole seconds and the rest so that
  // no product overflows 64 bits (the rest times the clock is under rate * 90,000, and
  // mcr-gen allows rate <= 1e8). The timestamp wraps at 32 bits, as RTP's does.
  const uint64_t ticks = (index / rate) * kRtpClockRate + (index % rate) * kRtpClockRate / rate;
  return static_cast<uint32_t>(ticks);
}

namespace {

void PutBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void FillTsPacket(uint8_t* p, uint8_t counter, uint64_t index, uint32_t k) {
  p[0] = kTsSyncByte;
  p[1] = static_cast<uint8_t>(kTsPid >> 8) & 0x1f;
  p[2] = static_cast<uint8_t>(kTsPid);
  p[3] = static_cast<uint8_t>(0x10 | (counter & 0x0f));  // payload only
  // A payload that says which datagram and packet it is, for a reader's eyes.
  for (size_t i = 4; i < kTsPacketSize; ++i) p[i] = static_cast<uint8_t>(index * 7 + k + i);
}

}  // namespace

void FillMedia(MediaKind kind, uint32_t stream, uint64_t index, uint64_t rate, uint32_t size, uint8_t* buf,
               uint16_t first_sequence) {
  if (kind == MediaKind::kTest) {
    EncodePayload(Header{stream, index, size}, buf);
    return;
  }
  uint8_t* ts = buf;
  if (kind != MediaKind::kMpegTs) {
    buf[0] = 0x80;  // version 2, no padding, extension or CSRCs
    buf[1] = kind == MediaKind::kRtpMpegTs ? kRtpPayloadTypeMp2t : kRtpPayloadTypeDynamic;
    PutBe16(buf + 2, static_cast<uint16_t>(first_sequence + index));
    PutBe32(buf + 4, RtpTimestamp(index, rate));
    PutBe32(buf + 8, kRtpSsrc + stream);
    ts = buf + kRtpHeaderSize;
    if (kind == MediaKind::kRtp) {
      EncodePayload(Header{stream, index, size - static_cast<uint32_t>(kRtpHeaderSize)}, ts);
      return;
    }
  }
  for (uint32_t k = 0; k < kTsPerDatagram; ++k) {
    FillTsPacket(ts + k * kTsPacketSize, static_cast<uint8_t>(index * kTsPerDatagram + k), index, k);
  }
}

MediaCheck::MediaCheck(MediaKind kind) : kind_(kind) {}

void MediaCheck::Take(const uint8_t* data, size_t len) {
  if (kind_ == MediaKind::kMpegTs) {
    ts_.Observe(data, len);
    return;
  }
  RtpHeader rtp;
  if (!ParseRtp(data, len, &rtp)) {
    ++not_rtp_;
    return;
  }
  ++rtp_datagrams_;
  const RtpVerdict verdict = sequence_.Observe(rtp.sequence);
  if (!started_ || verdict == RtpVerdict::kRestart) {
    started_ = true;
    first_extended_ = sequence_.highest();
  }
  if (kind_ == MediaKind::kRtpMpegTs) ts_.Observe(data + rtp.payload_offset, rtp.payload_len);
}

std::string MediaCheck::Report() const {
  std::string parts;
  if (kind_ == MediaKind::kRtp || kind_ == MediaKind::kRtpMpegTs) {
    // At the end of a run every gap is final: lost is what the numbers from the first to
    // the newest lack, not only what has left the relay's window.
    const uint64_t unique = rtp_datagrams_ - sequence_.duplicates();
    const uint64_t span = started_ ? sequence_.highest() - first_extended_ + 1 : 0;
    const uint64_t lost = sequence_.restarts() > 0 ? sequence_.lost() : (span > unique ? span - unique : 0);
    parts += "\"rtp\":" + JsonLine()
                              .Num("datagrams", rtp_datagrams_)
                              .Num("lost", lost)
                              .Num("duplicates", sequence_.duplicates())
                              .Num("reordered", sequence_.reordered())
                              .Num("restarts", sequence_.restarts())
                              .Num("not_rtp", not_rtp_)
                              .Done();
  }
  if (kind_ == MediaKind::kRtpMpegTs || kind_ == MediaKind::kMpegTs) {
    const TsCounts& c = ts_.counts();
    if (!parts.empty()) parts += ",";
    parts += "\"ts\":" + JsonLine()
                             .Num("packets", c.packets)
                             .Num("cc_errors", c.cc_errors)
                             .Num("tei", c.tei)
                             .Num("sync_loss", c.sync_loss)
                             .Num("pids", c.pids)
                             .Done();
  }
  return parts;
}

}  // namespace mcr::tools
