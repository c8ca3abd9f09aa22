// mcr-sink: receives test datagrams (payload.h) on one port for one or more groups (or
// one unicast address), checks every byte, and prints one JSON report when it stops.
// It owns the options and the receive loop; the socket is in sink_socket.h, the
// counting in sink_stats.h, and lost, duplicated and reordered are defined in
// seq_tracker.h. "ready" on stderr means it is bound and joined: start senders then.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "media_payload.h"
#include "sink_stats.h"
#include "sink_socket.h"

namespace {

using namespace mcr::tools;

constexpr char kProg[] = "mcr-sink";
constexpr char kUsage[] =
    "usage: mcr-sink --group ADDRESS [--group ...] --port P [options]\n"
    "Receives mcr test datagrams, verifies them, and prints one JSON report on exit.\n"
    "\n"
    "  --group ADDRESS          a multicast group to join (repeatable), or one unicast\n"
    "                           address of this host to bind to; IPv4 (239.1.1.1) or\n"
    "                           IPv6 (ff0e::1:1), all of one family\n"
    "  -6, --ipv6               the groups must be IPv6 (refuse an IPv4 one)\n"
    "  --streams K              expand each --group into K consecutive groups (default 1)\n"
    "  --port P                 UDP port, 1..65535\n"
    "  --interface IF           join on IF and receive only from it\n"
    "  --source S               source-specific join: only datagrams from S\n"
    "  --expect N               stop once N datagrams arrived (all kinds)\n"
    "  --expect-per-stream N    each stream was sent N datagrams: trailing losses count, and\n"
    "                           streams --first-stream.. (one per group) are always reported\n"
    "  --first-stream ID        first stream id for --expect-per-stream (default 0)\n"
    "  --idle-timeout SECONDS   stop after this long with nothing received (default 2)\n"
    "  --duration-limit SECONDS hard cap on the run (default 60, at most 86400)\n"
    "  --rcvbuf BYTES           socket receive buffer (default 33554432)\n"
    "  --max-streams N          streams tracked; others count out_of_range (default 1024)\n"
    "  --max-seq N              sequence numbers tracked per stream, one bit each; higher\n"
    "                           ones count out_of_range (default 67108864)\n"
    "  --payload KIND           also check the stream as KIND: rtp (sequence: lost,\n"
    "                           duplicates, reordered), rtp-mpegts (that and MPEG-TS\n"
    "                           continuity errors) or mpegts; the report gains \"rtp\" and\n"
    "                           \"ts\" objects (of one stream: use one group)\n"
    "\n"
    "SIGINT and SIGTERM stop it with a report. Exit 0 after a report, 64 on a bad command\n"
    "line, 77 without the privileges --interface needs.\n";

struct Options {
  SinkSocketConfig socket;
  uint64_t expect = 0;
  uint64_t expect_per_stream = 0;
  uint32_t first_stream = 0;
  double idle_timeout = 2;
  double duration_limit = 60;
  uint64_t max_streams = 1024;
  uint64_t max_seq = uint64_t{1} << 26;
  MediaKind kind = MediaKind::kTest;
};

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

Options ParseOptions(int argc, char** argv) {
  const ParsedArgs args = ParseArgs(
      argc, argv, kProg, kUsage,
      {{"group", true}, {"streams", true}, {"port", true}, {"interface", true}, {"source", true},
       {"expect", true}, {"expect-per-stream", true}, {"first-stream", true},
       {"idle-timeout", true}, {"duration-limit", true}, {"rcvbuf", true},
       {"max-streams", true}, {"max-seq", true}, {"payload", true}, {"ipv6", false}});
  if (!args.positionals.empty()) UsageError(kProg, "unexpected argument " + args.positionals[0]);
  Options o;
  std::vector<IpAddress> bases;
  uint64_t streams = 1;
  bool has_port = false;
  bool ipv6_only = false;
  for (const auto& [name, value] : args.options) {
    if (name == "ipv6") ipv6_only = true;
  }
  for (const auto& [name, value] : args.options) {
    if (name == "group") {
      bases.push_back(ToAddress(kProg, name, value, ipv6_only));
    } else if (name == "streams") {
      streams = ToUint(kProg, name, value, 1, 4096);
    } else if (name == "port") {
      o.socket.port = static_cast<uint16_t>(ToUint(kProg, name, value, 1, 65535));
      has_port = true;
    } else if (name == "interface") {
      o.socket.interface = value;
      o.socket.ifindex = ToIfindex(kProg, value);
    } else if (name == "source") {
      o.socket.source = ToAddress(kProg, name, value, ipv6_only);
      if (o.socket.source.IsUnspecified() || o.socket.source.IsMulticast()) {
        UsageError(kProg, "--source must be a unicast address");
      }
    } else if (name == "expect") {
      o.expect = ToUint(kProg, name, value, 1, UINT64_MAX);
    } else if (name == "expect-per-stream") {
      o.expect_per_stream = ToUint(kProg, name, value, 1, UINT64_MAX);
    } else if (name == "first-stream") {
      o.first_stream = static_cast<uint32_t>(ToUint(kProg, name, value, 0, UINT32_MAX));
    } else if (name == "idle-timeout") {
      o.idle_timeout = ToSeconds(kProg, name, value, 86400);
    } else if (name == "duration-limit") {
      o.duration_limit = ToSeconds(kProg, name, value, 86400);
    } else if (name == "rcvbuf") {
      o.socket.rcvbuf = static_cast<int>(ToUint(kProg, name, value, 4096, 1 << 30));
    } else if (name == "max-streams") {
      o.max_streams = ToUint(kProg, name, value, 1, 65536);
    } else if (name == "max-seq") {
      o.max_seq = ToUint(kProg, name, value, 1, uint64_t{1} << 34);
    } else if (name == "payload") {
      if (!ParseMediaKind(value, &o.kind)) UsageError(kProg, "--payload must be test, rtp, rtp-mpegts or mpegts");
    }
  }
  if (bases.empty()) UsageError(kProg, "--group is required");
  if (!has_port) UsageError(kProg, "--port is required");
  for (const IpAddress& base : bases) {
    if (base.family() != bases[0].family()) UsageError(kProg, "every --group must be of one address family");
    for (uint64_t k = 0; k < streams; ++k) {
      IpAddress group;
      if (!AddressPlus(base, static_cast<uint32_t>(k), &group) || (group.is_ipv4() && group.ipv4() == 0xFFFFFFFFu) ||
          group.IsMulticast() != base.IsMulticast()) {
        UsageError(kProg, "--streams runs past the end of " + base.ToString() + "'s range");
      }
      if (std::count(o.socket.groups.begin(), o.socket.groups.end(), group) != 0) {
        UsageError(kProg, "group " + group.ToString() + " is given twice");
      }
      o.socket.groups.push_back(group);
    }
  }
  const bool multicast = o.socket.groups[0].IsMulticast();
  for (const IpAddress& group : o.socket.groups) {
    if (group.IsUnspecified()) UsageError(kProg, "--group cannot be " + group.ToString());
    if (!multicast || !group.IsMulticast()) {
      if (o.socket.groups.size() > 1) UsageError(kProg, "a unicast --group must be the only group (one --streams)");
    }
  }
  if (!multicast && !o.socket.source.IsUnspecified()) UsageError(kProg, "--source needs a multicast --group");
  if (!o.socket.source.IsUnspecified() && o.socket.source.family() != o.socket.groups[0].family()) {
    UsageError(kProg, "--source must be of the groups' address family");
  }
  if (!o.socket.groups[0].is_ipv4() && o.socket.groups[0].IsLinkScope() && o.socket.ifindex == 0) {
    UsageError(kProg, "--group " + o.socket.groups[0].ToString() + " is link-scope: name its link with --interface");
  }
  if (o.expect_per_stream > 0 && o.socket.groups.size() > o.max_streams) {
    UsageError(kProg, "more groups than --max-streams");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  const int fd = OpenSinkSocket(kProg, o.socket);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;  // no SA_RESTART: poll returns EINTR and the loop ends
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::fprintf(stderr, "%s: ready: port %u, %zu group(s) from %s\n", kProg, o.socket.port,
               o.socket.groups.size(), o.socket.groups[0].ToString().c_str());
  std::fflush(stderr);

  SinkStats sink(SinkStatsConfig{o.socket.groups, o.socket.port, o.expect_per_stream, o.first_stream,
                                 o.max_streams, o.max_seq});
  BatchReceiver receiver;
  MediaCheck media(o.kind);
  const uint64_t start = NowNanos();
  const uint64_t deadline = start + static_cast<uint64_t>(o.duration_limit * 1e9);
  const uint64_t idle_ns = static_cast<uint64_t>(o.idle_timeout * 1e9);
  uint64_t last_rx = start;
  const char* stopped = nullptr;
  while (stopped == nullptr) {
    const uint64_t now = NowNanos();
    if (g_stop) {
      stopped = "signal";
    } else if (now >= deadline) {
      stopped = "duration";
    } else if (now - last_rx >= idle_ns) {
      stopped = "idle";
    }
    if (stopped != nullptr) break;
    const uint64_t wait_ns = std::min(deadline - now, last_rx + idle_ns - now);
    pollfd pfd{fd, POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(std::min<uint64_t>(wait_ns / 1000000 + 1, 1000)));
    if (ready < 0 && errno != EINTR) FatalErrno(kProg, "poll", errno);
    if (ready <= 0) continue;
    // Drain what is queued before polling again; poll per batch would cost a syscall
    // per 64 datagrams for nothing.
    for (int round = 0; round < 64 && stopped == nullptr; ++round) {
      const int n = receiver.Receive(fd);
      if (n < 0) FatalErrno(kProg, "recvmmsg", errno);
      if (n == 0) break;
      last_rx = NowNanos();
      for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
        const size_t length = std::min(receiver.Length(i), BatchReceiver::kBufferSize);
        sink.Take(receiver.Data(i), length, receiver.Destination(i), last_rx);
        if (o.kind != MediaKind::kTest) media.Take(receiver.Data(i), length);
      }
      if (o.expect > 0 && sink.datagrams() >= o.expect) stopped = "expect";
    }
  }
  // SO_MEMINFO also counts drops after the last datagram we read; the ancillary count
  // is the fallback for kernels without it.
  const int64_t meminfo_drops = SocketDrops(fd);
  const int64_t drops = std::max<int64_t>(meminfo_drops, receiver.overflow_drops());
  close(fd);
  std::string report = sink.Report(stopped, drops);
  // The media checks join the report as fields of its own object.
  const std::string parts = o.kind == MediaKind::kTest ? "" : media.Report();
  if (!parts.empty() && !report.empty() && report.back() == '}') report.insert(report.size() - 1, "," + parts);
  std::printf("%s\n", report.c_str());
  std::fflush(stdout);
  return kExitOk;
}
