// The cheapest userspace relay with plain batched sockets, for the benchmarks to
// compare mcr's CPU per packet against: one AF_INET UDP socket joined to the input
// group, recvmmsg up to 64 datagrams, sendmmsg them to the output group. No parsing,
// no rules, no counters beyond two totals printed on exit. Blocking sends: when the
// output is slow the input socket buffer fills and the kernel drops there.
//
// usage: mmsg-relay IN_IF IN_GROUP PORT OUT_IF OUT_GROUP OUT_PORT [RCVBUF]
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr unsigned kBatch = 64;
constexpr size_t kSlot = 9216;  // a jumbo frame's payload; bigger datagrams are cut

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

in_addr Address(const char* text) {
  in_addr a{};
  if (inet_pton(AF_INET, text, &a) != 1) {
    std::fprintf(stderr, "mmsg-relay: bad address %s\n", text);
    std::exit(64);
  }
  return a;
}

int Ifindex(const char* name) {
  const unsigned index = if_nametoindex(name);
  if (index == 0) Die(name);
  return static_cast<int>(index);
}

int OpenInput(const char* ifname, in_addr group, uint16_t port, int rcvbuf) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) Die("socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // FORCE passes net.core.rmem_max (we run as root), so the buffer matches mcr's ring.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) Die("SO_RCVBUFFORCE");
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, static_cast<socklen_t>(std::strlen(ifname))) != 0) {
    Die("SO_BINDTODEVICE");
  }
  // Bound to the group, not INADDR_ANY, so only that group's datagrams arrive.
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr = group;
  local.sin_port = htons(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) Die("bind");
  ip_mreqn join{};
  join.imr_multiaddr = group;
  join.imr_ifindex = Ifindex(ifname);
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) != 0) Die("IP_ADD_MEMBERSHIP");
  return fd;
}

int OpenOutput(const char* ifname, in_addr group, uint16_t port) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) Die("socket");
  ip_mreqn via{};
  via.imr_ifindex = Ifindex(ifname);
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via) != 0) Die("IP_MULTICAST_IF");
  const int ttl = 1;
  const int loop = 0;  // a copy looped back to this host would cost a second delivery
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  // Connected: sendmmsg needs no address per message and the route is looked up once.
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_addr = group;
  peer.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer) != 0) Die("connect");
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: mmsg-relay IN_IF IN_GROUP PORT OUT_IF OUT_GROUP OUT_PORT [RCVBUF]\n");
    return 64;
  }
  const int rcvbuf = argc > 7 ? std::atoi(argv[7]) : 16 << 20;
  const int in = OpenInput(argv[1], Address(argv[2]), static_cast<uint16_t>(std::atoi(argv[3])), rcvbuf);
  const int out = OpenOutput(argv[4], Address(argv[5]), static_cast<uint16_t>(std::atoi(argv[6])));

  struct sigaction sa{};
  sa.sa_handler = OnSignal;  // no SA_RESTART: a signal ends the blocking recvmmsg
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  std::vector<char> buffers(size_t{kBatch} * kSlot);
  std::vector<iovec> iovs(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  unsigned long long received = 0, sent = 0;
  std::fprintf(stderr, "mmsg-relay: ready\n");
  while (!g_stop) {
    for (unsigned i = 0; i < kBatch; ++i) {
      iovs[i] = iovec{buffers.data() + size_t{i} * kSlot, kSlot};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    // Wait for one, then take whatever else is already queued, up to the batch.
    const int n = recvmmsg(in, msgs.data(), kBatch, MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;
    received += static_cast<unsigned>(n);
    // Send each datagram with the length it arrived with.
    for (int i = 0; i < n; ++i) iovs[static_cast<size_t>(i)].iov_len = msgs[static_cast<size_t>(i)].msg_len;
    for (int done = 0; done < n && !g_stop;) {
      const int r = sendmmsg(out, msgs.data() + done, static_cast<unsigned>(n - done), 0);
      if (r > 0) {
        done += r;
        sent += static_cast<unsigned>(r);
      } else if (r == 0 || (errno != EINTR && errno != ENOBUFS && errno != EAGAIN)) {
        break;  // an error on this batch (e.g. the interface went down): drop it
      }
    }
  }
  std::printf("{\"received\":%llu,\"sent\":%llu}\n", received, sent);
  return 0;
}
