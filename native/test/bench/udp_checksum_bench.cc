// What verifying the UDP checksum costs the parser: ParseFrame on a valid 1,400-byte
// payload with and without verification, in ns per frame. Timed in thread CPU time and
// the best of several rounds, so a loaded machine (time spent descheduled) distorts it
// less. Not part of run.sh (timings are not assertions); run by hand, optimised like
// the addon:
//   g++ -std=c++17 -O2 native/core/packet.cc native/test/frame_builder.cc
//       native/test/bench/udp_checksum_bench.cc -o /tmp/udp-checksum-bench
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "../../core/packet.h"
#include "../frame_builder.h"

namespace {

double CpuNs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

double NsPerFrame(const uint8_t* frame, size_t len, const mcr::ParseOptions& options) {
  constexpr int kFrames = 2'000'000;
  size_t sink = 0;
  const double start = CpuNs();
  for (int i = 0; i < kFrames; ++i) {
    mcr::UdpDatagram d;
    if (mcr::ParseFrame(frame, len, options, &d) == mcr::ParseResult::kOk) sink += d.payload_len;
  }
  const double ns = CpuNs() - start;
  if (sink != size_t{kFrames} * 1400) std::printf("unexpected parse result\n");
  return ns / kFrames;
}

}  // namespace

int main() {
  mcr::test::FrameSpec spec;
  spec.payload_len = 1400;
  spec.udp_checksum = true;
  const mcr::test::Frame frame = mcr::test::BuildUdpFrame(spec);
  std::unique_ptr<uint8_t[]> bytes(new uint8_t[frame.bytes.size()]);
  std::memcpy(bytes.get(), frame.bytes.data(), frame.bytes.size());
  mcr::ParseOptions off;
  off.verify_udp_checksum = false;
  const mcr::ParseOptions on;
  double without = 1e18;
  double with = 1e18;
  for (int round = 0; round < 7; ++round) {
    without = std::min(without, NsPerFrame(bytes.get(), frame.bytes.size(), off));
    with = std::min(with, NsPerFrame(bytes.get(), frame.bytes.size(), on));
  }
  std::printf("1400-byte payload, best of 7: parse %.1f ns, parse + UDP checksum %.1f ns (checksum %.1f ns)\n",
              without, with, with - without);
  return 0;
}
