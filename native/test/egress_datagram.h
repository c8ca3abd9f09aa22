// Datagrams and templates for the frame header tests: a UdpDatagram with its own payload
// (PayloadByte pattern) and the checksum its sender would have written, the frame built
// from it (header + payload in one exactly-sized vector), and address shorthand.
// Test-only.
#pragma once

#include <cstdlib>
#include <memory>
#include <ostream>
#include <vector>

#include "../core/frame_header.h"
#include "frame_builder.h"
#include "frame_reader.h"

namespace mcr {

inline std::ostream& operator<<(std::ostream& os, FrameHeaderStatus status) {
  switch (status) {
    case FrameHeaderStatus::kOk: return os << "ok";
    case FrameHeaderStatus::kTooBig: return os << "too_big";
    case FrameHeaderStatus::kBufferTooSmall: return os << "buffer_too_small";
    case FrameHeaderStatus::kFamilyMismatch: return os << "family_mismatch";
  }
  return os << "unknown";
}

}  // namespace mcr

namespace mcr::test {

inline IpAddress Ip(const char* text) {
  IpAddress address;
  if (!IpAddress::Parse(text, &address)) std::abort();  // a typo in a test's table
  return address;
}

// Owns the payload the datagram points into; never copied, so the pointer stays good.
struct TestDatagram {
  std::vector<uint8_t> payload;
  UdpDatagram d;

  TestDatagram() = default;
  TestDatagram(const TestDatagram&) = delete;
  TestDatagram& operator=(const TestDatagram&) = delete;

  // After changing payload bytes: point at them again and re-sign as the sender would.
  void Sign() {
    d.payload = payload.data();
    d.payload_len = payload.size();
    d.udp_checksum = ReferenceUdpChecksum(d.src, d.src_port, d.dst, d.dst_port, d.payload, d.payload_len);
  }
};

inline std::unique_ptr<TestDatagram> MakeDatagram(const char* src, uint16_t src_port, const char* dst,
                                                  uint16_t dst_port, size_t payload_len) {
  auto t = std::make_unique<TestDatagram>();
  for (size_t i = 0; i < payload_len; ++i) t->payload.push_back(PayloadByte(i));
  t->d.src = Ip(src);
  t->d.dst = Ip(dst);
  t->d.src_port = src_port;
  t->d.dst_port = dst_port;
  t->d.ttl = 9;
  t->Sign();
  return t;
}

inline FrameHeaderSpec SpecV4(const char* src, uint16_t src_port, const char* dst, uint16_t dst_port) {
  FrameHeaderSpec spec;
  spec.dst_mac = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
  spec.src_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  spec.src = Ip(src);
  spec.src_port = src_port;
  spec.dst = Ip(dst);
  spec.dst_port = dst_port;
  return spec;
}

inline FrameHeaderSpec SpecV6(const char* src, uint16_t src_port, const char* dst, uint16_t dst_port) {
  FrameHeaderSpec spec = SpecV4("10.0.0.1", src_port, "10.0.0.2", dst_port);
  spec.family = IpFamily::kIpv6;
  spec.dst_mac = {0x33, 0x33, 0x00, 0x00, 0x01, 0x01};
  spec.src = Ip(src);
  spec.dst = Ip(dst);
  return spec;
}

// Header (as Build wrote it) + payload, exactly sized.
inline std::vector<uint8_t> FrameOf(const uint8_t* header, size_t header_size, const UdpDatagram& d) {
  std::vector<uint8_t> frame(header, header + header_size);
  frame.insert(frame.end(), d.payload, d.payload + d.payload_len);
  return frame;
}

}  // namespace mcr::test
