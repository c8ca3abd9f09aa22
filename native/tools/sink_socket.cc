// Implementation of sink_socket.h.
#include "sink_socket.h"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "cli.h"

namespace mcr::tools {

namespace {

// linux/in6.h has it (Linux >= 4.20), glibc's headers not yet.
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

void SetOpt(const char* prog, int fd, int level, int name, const void* value, socklen_t len,
            const char* what) {
  if (setsockopt(fd, level, name, value, len) != 0) FatalErrno(prog, what, errno);
}

// ifindex scopes a link-scope IPv6 address; unused otherwise.
socklen_t SocketAddress(const IpAddress& address, uint16_t port, unsigned ifindex, sockaddr_storage* storage) {
  *storage = sockaddr_storage{};
  if (address.is_ipv4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, address.ipv4_bytes(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(storage);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, address.bytes(), IpAddress::kSize);
  sin6->sin6_scope_id = address.IsLinkScope() ? ifindex : 0;
  return sizeof(sockaddr_in6);
}

void Join(const char* prog, int fd, const SinkSocketConfig& config, const IpAddress& group) {
  // The protocol-independent MCAST_* calls take an interface index (ip_mreq_source
  // would need the interface's address), and SSM needs the source form.
  const int level = group.is_ipv4() ? IPPROTO_IP : IPPROTO_IPV6;
  int rc;
  if (!config.source.IsUnspecified()) {
    group_source_req req{};
    req.gsr_interface = config.ifindex;
    SocketAddress(group, 0, config.ifindex, &req.gsr_group);
    SocketAddress(config.source, 0, config.ifindex, &req.gsr_source);
    rc = setsockopt(fd, level, MCAST_JOIN_SOURCE_GROUP, &req, sizeof req);
  } else {
    group_req req{};
    req.gr_interface = config.ifindex;
    SocketAddress(group, 0, config.ifindex, &req.gr_group);
    rc = setsockopt(fd, level, MCAST_JOIN_GROUP, &req, sizeof req);
  }
  if (rc == 0) return;
  const int err = errno;
  std::string what = "joining " + group.ToString();
  if (err == ENOBUFS) {
    Fatal(prog, kExitFailure, what + ": too many groups on one socket (raise the sysctl " +
                                  (group.is_ipv4() ? "net.ipv4.igmp_max_memberships" : "net.ipv6.mld_max_msf") +
                                  ")");
  }
  if (err == ENODEV) what += " (no route to the group: give --interface)";
  FatalErrno(prog, what, err);
}

}  // namespace

int OpenSinkSocket(const char* prog, const SinkSocketConfig& config) {
  const IpAddress& first = config.groups.at(0);
  const bool v4 = first.is_ipv4();
  const int fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) FatalErrno(prog, "socket", errno);
  const int one = 1;
  const int zero = 0;
  // Several sinks in one namespace may listen on one port (each to its own groups).
  SetOpt(prog, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one, "SO_REUSEADDR");
  // Root may go past net.core.rmem_max; others get what rmem_max allows.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &config.rcvbuf, sizeof config.rcvbuf) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &config.rcvbuf, sizeof config.rcvbuf);
  }
  if (v4) {
    SetOpt(prog, fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one, "IP_PKTINFO");
  } else {
    // IPv6 only: an IPv4 datagram to the same port is none of this sink's business.
    SetOpt(prog, fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one, "IPV6_V6ONLY");
    SetOpt(prog, fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one, "IPV6_RECVPKTINFO");
  }
  SetOpt(prog, fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one, "SO_RXQ_OVFL");
  if (!config.interface.empty()) {
    SetOpt(prog, fd, SOL_SOCKET, SO_BINDTODEVICE, config.interface.c_str(),
           static_cast<socklen_t>(config.interface.size()), "SO_BINDTODEVICE");
  }
  const bool multicast = first.IsMulticast();
  // A socket bound to the wildcard would otherwise get every group any socket in this
  // namespace joined: we want only ours.
  if (multicast && v4) SetOpt(prog, fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero, "IP_MULTICAST_ALL");
  if (multicast && !v4) SetOpt(prog, fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof zero, "IPV6_MULTICAST_ALL");
  sockaddr_storage addr{};
  const IpAddress any = v4 ? IpAddress::FromIpv4(0) : IpAddress();
  const socklen_t length = SocketAddress(multicast ? any : first, config.port, config.ifindex, &addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), length) != 0) {
    const int err = errno;
    if (err == EADDRNOTAVAIL) {
      Fatal(prog, kExitFailure, first.ToString() + " is not an address of this host");
    }
    FatalErrno(prog, "bind to port " + std::to_string(config.port), err);
  }
  if (multicast) {
    for (const IpAddress& group : config.groups) Join(prog, fd, config, group);
  }
  return fd;
}

int64_t SocketDrops(int fd) {
  uint32_t meminfo[SK_MEMINFO_VARS] = {};
  socklen_t len = sizeof meminfo;
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &len) != 0) return -1;
  if (len < sizeof(uint32_t) * (SK_MEMINFO_DROPS + 1)) return -1;
  return meminfo[SK_MEMINFO_DROPS];
}

BatchReceiver::BatchReceiver()
    : buffers_(kBatch * kBufferSize), control_(kBatch * kControlSize), iovs_(kBatch),
      msgs_(kBatch), dests_(kBatch) {}

int BatchReceiver::Receive(int fd) {
  for (size_t i = 0; i < kBatch; ++i) {
    iovs_[i] = iovec{buffers_.data() + i * kBufferSize, kBufferSize};
    msgs_[i] = mmsghdr{};
    msgs_[i].msg_hdr.msg_iov = &iovs_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
    msgs_[i].msg_hdr.msg_control = control_.data() + i * kControlSize;
    msgs_[i].msg_hdr.msg_controllen = kControlSize;
  }
  const int n = recvmmsg(fd, msgs_.data(), kBatch, MSG_DONTWAIT, nullptr);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
  for (int i = 0; i < n; ++i) {
    msghdr& hdr = msgs_[static_cast<size_t>(i)].msg_hdr;
    dests_[static_cast<size_t>(i)] = IpAddress();
    for (cmsghdr* c = CMSG_FIRSTHDR(&hdr); c != nullptr; c = CMSG_NXTHDR(&hdr, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
          c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
        in_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        dests_[static_cast<size_t>(i)] = IpAddress::FromIpv4Bytes(reinterpret_cast<const uint8_t*>(&info.ipi_addr));
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
                 c->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo))) {
        in6_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        dests_[static_cast<size_t>(i)] = IpAddress::FromIpv6Bytes(reinterpret_cast<const uint8_t*>(&info.ipi6_addr));
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
                 c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
        std::memcpy(&overflow_drops_, CMSG_DATA(c), sizeof overflow_drops_);
      }
    }
  }
  return n;
}

}  // namespace mcr::tools
