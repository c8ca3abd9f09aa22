#include "membership.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "../socket_options.h"
#include "../sys_error.h"

namespace mcr {
namespace {

// Not in every libc's headers; the kernel has had it since 4.15.
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

Fd QuietUdpSocket(int family, std::string* error) {
  Fd fd(socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    *error = SysError(family == AF_INET ? "opening a UDP socket" : "opening an IPv6 UDP socket", errno);
    return fd;
  }
  if (!AttachDropAllFilter(fd.get(), error)) return Fd();
  return fd;
}

}  // namespace

Fd OpenMembershipSocket(int ifindex, const IpAddress& group, const IpAddress& source, std::string* error) {
  const int family = SocketFamily(group);
  Fd fd = QuietUdpSocket(family, error);
  if (!fd.valid()) return fd;
  const int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
  const bool any_source = source.IsUnspecified();
  const std::string what = "joining " + group.ToString() + (any_source ? "" : " from " + source.ToString());
  if (any_source) {
    group_req request{};
    request.gr_interface = static_cast<uint32_t>(ifindex);
    ToSocketAddress(group, 0, static_cast<uint32_t>(ifindex), &request.gr_group);
    if (!SetSocketOption(fd.get(), level, MCAST_JOIN_GROUP, &request, sizeof request, what, error)) return Fd();
  } else {
    group_source_req request{};
    request.gsr_interface = static_cast<uint32_t>(ifindex);
    ToSocketAddress(group, 0, static_cast<uint32_t>(ifindex), &request.gsr_group);
    ToSocketAddress(source, 0, static_cast<uint32_t>(ifindex), &request.gsr_source);
    if (!SetSocketOption(fd.get(), level, MCAST_JOIN_SOURCE_GROUP, &request, sizeof request, what, error)) {
      return Fd();
    }
  }
  return fd;
}

Fd OpenUnicastCatcher(const IpAddress& address, uint16_t port, int ifindex, std::string* error) {
  const int family = SocketFamily(address);
  Fd fd = QuietUdpSocket(family, error);
  if (!fd.valid()) return fd;
  // Freebind: the address may not be configured (yet); then nothing arrives here and
  // nothing is lost.
  std::string ignored;
  if (family == AF_INET) SetIntOption(fd.get(), IPPROTO_IP, IP_FREEBIND, 1, "IP_FREEBIND", &ignored);
  else SetIntOption(fd.get(), IPPROTO_IPV6, IPV6_FREEBIND, 1, "IPV6_FREEBIND", &ignored);
  SetIntOption(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", &ignored);
  sockaddr_storage local{};
  const socklen_t length = ToSocketAddress(address, port, static_cast<uint32_t>(ifindex), &local);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&local), length) != 0) {
    *error = SysError("binding a catcher to " + address.ToString() + ":" + std::to_string(port), errno);
    return Fd();
  }
  return fd;
}

}  // namespace mcr
