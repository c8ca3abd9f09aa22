// mcr-gen: a rate-paced UDP sender of test payloads (payload.h) to one or several
// consecutive groups (or unicast addresses). It owns the options, the socket and the
// main loop: the loop sends everything due (pacing.h), at most one sendmmsg batch at
// a time (gen_send.h), then sleeps until enough datagrams are due to be worth a
// wake-up (about 100 us of them, at most one batch), so bursts stay within a batch.
// Media payloads (RTP, MPEG-TS) and a second path are media_payload.h's and --second-
// interface's: the same datagram indexes, so both paths carry one stream.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"
#include "gen_send.h"
#include "json_line.h"
#include "media_payload.h"
#include "pacing.h"
#include "payload.h"

namespace {

using namespace mcr::tools;

constexpr char kProg[] = "mcr-gen";
constexpr char kUsage[] =
    "usage: mcr-gen --group ADDRESS --port P [options]\n"
    "Sends UDP test datagrams (the mcr payload format) and prints one JSON line:\n"
    "  {\"sent\":N,\"seconds\":S,\"rate\":R,\"retries\":X,\"errors\":E,\"stopped\":WHY}\n"
    "\n"
    "  --group ADDRESS          destination: a multicast group or a unicast address, IPv4\n"
    "                           (239.1.1.1) or IPv6 (ff0e::1:1)\n"
    "  -6, --ipv6               the group must be IPv6 (refuse an IPv4 one)\n"
    "  --port P                 destination UDP port, 1..65535\n"
    "  --interface IF           send on IF (SO_BINDTODEVICE + IP_MULTICAST_IF or\n"
    "                           IPV6_MULTICAST_IF; needed for a link-scope IPv6 group)\n"
    "  --count N                datagrams to send over all streams (default 1000; 0 = until\n"
    "                           --duration-limit)\n"
    "  --rate PPS               datagrams per second over all streams (default 1000; 0 = as\n"
    "                           fast as possible)\n"
    "  --size BYTES             UDP payload size, 0..65507 (default 1024; below 24 the header\n"
    "                           is cut short)\n"
    "  --streams K              K streams to groups ADDRESS, +1, ... round-robin (default 1)\n"
    "  --first-stream ID        stream id of the first stream (default 0)\n"
    "  --ttl T                  TTL or hop limit, 1..255 (default 1 for multicast, 64 for\n"
    "                           unicast)\n"
    "  --duration-limit SECONDS hard cap on the run (default 60, at most 86400)\n"
    "  --payload KIND           test (default: the mcr test payload), rtp (RTP around it,\n"
    "                           PT 96, 90 kHz timestamps from the send schedule), rtp-mpegts\n"
    "                           (seven MPEG-TS packets in RTP, PT 33, 1,328 bytes) or mpegts\n"
    "                           (seven TS packets, 1,316 bytes); RTP kinds need one stream\n"
    "  --first-sequence N       the RTP sequence number of the first datagram (default 0)\n"
    "  --second-interface IF    send each datagram twice: also on IF (two paths of one\n"
    "                           stream, as SMPTE ST 2022-7 does); needs --interface\n"
    "  With a media payload, a datagram the kernel refuses (ENOBUFS: a full queue, a drop\n"
    "  on the egress path) is not retried but counted as refused: a live stream keeps to\n"
    "  its schedule.\n"
    "\n"
    "Exit 0 when every datagram was sent, 1 on send errors or a run cut by the limit,\n"
    "64 on a bad command line, 77 without the privileges --interface needs.\n";

struct Options {
  IpAddress group;
  bool ipv6_only = false;
  uint16_t port = 0;
  std::string interface;
  unsigned ifindex = 0;
  uint64_t count = 1000;
  uint64_t rate = 1000;
  uint32_t size = 1024;
  uint32_t streams = 1;
  uint32_t first_stream = 0;
  int ttl = -1;
  double duration_limit = 60;
  MediaKind kind = MediaKind::kTest;
  std::string second_interface;
  unsigned second_ifindex = 0;
  uint16_t first_sequence = 0;
};

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

const char* value_of(MediaKind kind);

Options ParseOptions(int argc, char** argv) {
  const ParsedArgs args = ParseArgs(argc, argv, kProg, kUsage,
                                    {{"group", true}, {"port", true}, {"interface", true},
                                     {"count", true}, {"rate", true}, {"size", true},
                                     {"streams", true}, {"first-stream", true}, {"ttl", true},
                                     {"duration-limit", true}, {"payload", true}, {"second-interface", true},
                                     {"first-sequence", true}, {"ipv6", false}});
  if (!args.positionals.empty()) UsageError(kProg, "unexpected argument " + args.positionals[0]);
  Options o;
  bool has_port = false;
  std::string group_text;
  for (const auto& [name, value] : args.options) {
    if (name == "ipv6") o.ipv6_only = true;
  }
  for (const auto& [name, value] : args.options) {
    if (name == "group") {
      o.group = ToAddress(kProg, name, value, o.ipv6_only);
      group_text = value;
    } else if (name == "port") {
      o.port = static_cast<uint16_t>(ToUint(kProg, name, value, 1, 65535));
      has_port = true;
    } else if (name == "interface") {
      o.interface = value;
      o.ifindex = ToIfindex(kProg, value);
    } else if (name == "count") {
      o.count = ToUint(kProg, name, value, 0, UINT64_MAX / 2);
    } else if (name == "rate") {
      o.rate = ToUint(kProg, name, value, 0, 100000000);
    } else if (name == "size") {
      o.size = static_cast<uint32_t>(ToUint(kProg, name, value, 0, kMaxPayload));
    } else if (name == "streams") {
      o.streams = static_cast<uint32_t>(ToUint(kProg, name, value, 1, 65536));
    } else if (name == "first-stream") {
      o.first_stream = static_cast<uint32_t>(ToUint(kProg, name, value, 0, UINT32_MAX));
    } else if (name == "ttl") {
      o.ttl = static_cast<int>(ToUint(kProg, name, value, 1, 255));
    } else if (name == "duration-limit") {
      o.duration_limit = ToSeconds(kProg, name, value, 86400);
    } else if (name == "payload") {
      if (!ParseMediaKind(value, &o.kind)) UsageError(kProg, "--payload must be test, rtp, rtp-mpegts or mpegts");
    } else if (name == "first-sequence") {
      o.first_sequence = static_cast<uint16_t>(ToUint(kProg, name, value, 0, 65535));
    } else if (name == "second-interface") {
      o.second_interface = value;
      o.second_ifindex = ToIfindex(kProg, value);
    }
  }
  if (o.kind == MediaKind::kRtpMpegTs) o.size = static_cast<uint32_t>(kRtpMpegTsSize);
  if (o.kind == MediaKind::kMpegTs) o.size = static_cast<uint32_t>(kTsPerDatagram * mcr::kTsPacketSize);
  if (o.kind == MediaKind::kRtp && o.size < kRtpHeaderSize + kHeaderSize) {
    UsageError(kProg, "--payload rtp needs --size " + std::to_string(kRtpHeaderSize + kHeaderSize) + " or more");
  }
  if (o.kind != MediaKind::kTest && o.streams != 1) UsageError(kProg, "--payload " + std::string(value_of(o.kind)) + " sends one stream");
  if (!o.second_interface.empty() && o.interface.empty()) UsageError(kProg, "--second-interface needs --interface");
  if (group_text.empty()) UsageError(kProg, "--group is required");
  if (!has_port) UsageError(kProg, "--port is required");
  if (o.group.IsUnspecified() || (o.group.is_ipv4() && o.group.ipv4() == 0xFFFFFFFFu)) {
    UsageError(kProg, "--group cannot be " + o.group.ToString());
  }
  IpAddress last;
  if (!AddressPlus(o.group, o.streams - 1, &last) || (last.is_ipv4() && last.ipv4() == 0xFFFFFFFFu) ||
      o.group.IsMulticast() != last.IsMulticast()) {
    UsageError(kProg, "--streams " + std::to_string(o.streams) + " from " + o.group.ToString() +
                          " runs past the end of its address range");
  }
  if (o.group.IsLinkScope() && o.ifindex == 0 && !o.group.is_ipv4()) {
    UsageError(kProg, "--group " + o.group.ToString() + " is link-scope: name its link with --interface");
  }
  if (uint64_t{o.first_stream} + o.streams - 1 > UINT32_MAX) UsageError(kProg, "--first-stream + --streams exceeds 2^32");
  if (o.ttl < 0) o.ttl = o.group.IsMulticast() ? 1 : 64;
  return o;
}

void SetOpt(int fd, int level, int name, const void* value, socklen_t len, const char* what) {
  if (setsockopt(fd, level, name, value, len) != 0) FatalErrno(kProg, what, errno);
}

const char* value_of(MediaKind kind) {
  switch (kind) {
    case MediaKind::kRtp: return "rtp";
    case MediaKind::kRtpMpegTs: return "rtp-mpegts";
    case MediaKind::kMpegTs: return "mpegts";
    case MediaKind::kTest: break;
  }
  return "test";
}

int OpenSocket(const Options& o) {
  const bool v4 = o.group.is_ipv4();
  const int fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) FatalErrno(kProg, "socket", errno);
  const int one = 1;
  const int zero = 0;
  const int ttl = o.ttl;
  if (!o.interface.empty()) {
    SetOpt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.interface.c_str(),
           static_cast<socklen_t>(o.interface.size()), "SO_BINDTODEVICE");
    if (v4) {
      ip_mreqn mreqn{};
      mreqn.imr_ifindex = static_cast<int>(o.ifindex);
      SetOpt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreqn, sizeof mreqn, "IP_MULTICAST_IF");
    } else {
      const int ifindex = static_cast<int>(o.ifindex);
      SetOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex, "IPV6_MULTICAST_IF");
    }
  }
  // Our own datagrams must not come back to a sink in this namespace.
  if (v4) {
    SetOpt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero, "IP_MULTICAST_LOOP");
    SetOpt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl, "IP_MULTICAST_TTL");
    SetOpt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl, "IP_TTL");
    SetOpt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one, "SO_BROADCAST");
  } else {
    SetOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof zero, "IPV6_MULTICAST_LOOP");
    SetOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl, "IPV6_MULTICAST_HOPS");
    SetOpt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl, "IPV6_UNICAST_HOPS");
  }
  // Without IP_RECVERR the kernel reports a full device queue (ENOBUFS) as success and
  // drops the datagram silently; with it we see the drop and retry the datagram.
  if (v4) SetOpt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one, "IP_RECVERR");
  else SetOpt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one, "IPV6_RECVERR");
  const int sndbuf = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);  // capped by wmem_max
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  const int fd = OpenSocket(o);
  // The second path: the same datagrams from another interface.
  Options second_options = o;
  second_options.interface = o.second_interface;
  second_options.ifindex = o.second_ifindex;
  const int second_fd = o.second_interface.empty() ? -1 : OpenSocket(second_options);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // The default 50 us timer slack would make every paced wake-up late.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

  const uint64_t t0 = NowNanos();
  const uint64_t deadline = t0 + static_cast<uint64_t>(o.duration_limit * 1e9);
  // About 100 us worth of datagrams per wake-up: one at 10 kpps, a full batch at 640 kpps.
  const uint64_t wake_batch = std::clamp<uint64_t>(o.rate / 10000, 1, kSendBatch);
  const Destinations destinations{o.group, o.port, o.streams, o.first_stream, o.size, o.kind, o.rate, o.first_sequence, o.ifindex};
  BatchSender sender(destinations, fd, deadline, &g_stop);
  BatchSender second(destinations, second_fd, deadline, &g_stop);
  SendTotals second_totals;
  SendTotals totals;
  totals.last_send_ns = t0;
  uint64_t next = 0;  // the next datagram index; all before it were sent or skipped
  const char* stopped = "count";
  while (o.count == 0 || next < o.count) {
    const uint64_t now = NowNanos();
    if (g_stop) {
      stopped = "signal";
      break;
    }
    if (now >= deadline) {
      stopped = "duration";
      break;
    }
    uint64_t n = kSendBatch;
    if (o.rate > 0) {
      const uint64_t due = DueCount(now - t0, o.rate);
      if (due <= next) {
        uint64_t wake_index = next + wake_batch - 1;
        if (o.count > 0) wake_index = std::min(wake_index, o.count - 1);
        SleepUntil(std::min(t0 + DueTime(wake_index, o.rate), deadline));
        continue;
      }
      n = std::min<uint64_t>(due - next, kSendBatch);
    }
    if (o.count > 0) n = std::min(n, o.count - next);
    const size_t done = sender.Send(next, static_cast<size_t>(n), &totals);
    if (second_fd >= 0 && done > 0) second.Send(next, done, &second_totals);
    next += done;
    if (done < n) {
      stopped = g_stop ? "signal" : totals.consecutive_errors >= kMaxConsecutiveErrors ? "errors" : "duration";
      break;
    }
  }
  close(fd);
  if (second_fd >= 0) close(second_fd);

  const double seconds = static_cast<double>(totals.last_send_ns - t0) / 1e9;
  const double rate = seconds > 0 ? static_cast<double>(totals.sent) / seconds : 0;
  std::printf("%s\n", JsonLine()
                          .Num("sent", totals.sent)
                          .Real("seconds", seconds)
                          .Real("rate", rate)
                          .Num("retries", totals.retries)
                          .Num("errors", totals.errors)
                          .Num("refused", totals.refused)
                          .Str("stopped", stopped)
                          .Raw("second", second_fd < 0 ? "null"
                                                       : JsonLine()
                                                             .Num("sent", second_totals.sent)
                                                             .Num("retries", second_totals.retries)
                                                             .Num("errors", second_totals.errors)
                                                             .Num("refused", second_totals.refused)
                                                             .Done())
                          .Done()
                          .c_str());
  std::fflush(stdout);
  if (totals.errors > 0) {
    std::fprintf(stderr, "%s: %llu send errors, the last: %s\n", kProg,
                 static_cast<unsigned long long>(totals.errors), std::strerror(totals.last_error));
  }
  if (std::strcmp(stopped, "duration") == 0 && o.count > 0) {
    std::fprintf(stderr, "%s: stopped by --duration-limit after %llu of %llu datagrams\n", kProg,
                 static_cast<unsigned long long>(next), static_cast<unsigned long long>(o.count));
  }
  const bool complete = o.count == 0 || next == o.count || std::strcmp(stopped, "signal") == 0;
  return totals.errors == 0 && second_totals.errors == 0 && complete ? kExitOk : kExitFailure;
}
