#include "sockets.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "sys_error.h"

namespace mcr {
namespace {

constexpr int kOutputSendBuffer = 4 << 20;  // absorbs a burst of a few ms at line rate

bool Set(int fd, int level, int name, const void* value, socklen_t size, const std::string& what,
         std::string* error) {
  if (setsockopt(fd, level, name, value, size) == 0) return true;
  *error = SysError(what, errno);
  return false;
}

bool SetInt(int fd, int level, int name, int value, const std::string& what, std::string* error) {
  return Set(fd, level, name, &value, sizeof value, what, error);
}

bool DropEverything(int fd, std::string* error) {
  sock_filter drop{BPF_RET | BPF_K, 0, 0, 0};
  sock_fprog program{1, &drop};
  return Set(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program, "attaching a drop-all filter", error);
}

sockaddr_in Endpoint(uint32_t address, uint16_t port) {
  sockaddr_in endpoint{};
  endpoint.sin_family = AF_INET;
  endpoint.sin_addr.s_addr = htonl(address);
  endpoint.sin_port = htons(port);
  return endpoint;
}

Fd UdpSocket(std::string* error) {
  Fd fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) *error = SysError("opening a UDP socket", errno);
  return fd;
}

}  // namespace

bool IsMulticast(uint32_t address) { return (address >> 28) == 0xe; }

std::string AddressText(uint32_t address) {
  in_addr value{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &value, text, sizeof text);
  return text;
}

Fd OpenOutputSocket(const OutputSpec& output, int ifindex, std::string* error) {
  Fd fd = UdpSocket(error);
  if (!fd.valid()) return fd;
  const std::string where = " for output " + output.key;
  // SO_BINDTODEVICE makes the kernel route this socket's datagrams out of the output
  // interface whatever the routing table says, as an operator expects.
  if (!Set(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, output.interface.c_str(),
           static_cast<socklen_t>(output.interface.size()), "binding to " + output.interface + where, error)) {
    return Fd();
  }
  if (setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &kOutputSendBuffer, sizeof kOutputSendBuffer) != 0) {
    SetInt(fd.get(), SOL_SOCKET, SO_SNDBUF, kOutputSendBuffer, "setting the send buffer" + where, error);
  }
  if (IsMulticast(output.group)) {
    ip_mreqn via{};
    via.imr_ifindex = ifindex;
    if (!Set(fd.get(), IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via, "IP_MULTICAST_IF" + where, error) ||
        !SetInt(fd.get(), IPPROTO_IP, IP_MULTICAST_TTL, output.ttl, "IP_MULTICAST_TTL" + where, error) ||
        !SetInt(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP" + where, error)) {
      return Fd();
    }
  } else if (!SetInt(fd.get(), IPPROTO_IP, IP_TTL, output.ttl, "IP_TTL" + where, error)) {
    return Fd();
  }
  if (output.source_address != 0) {
    sockaddr_in source = Endpoint(output.source_address, 0);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      *error = SysError("using source_address " + AddressText(output.source_address) + where, errno);
      return Fd();
    }
  }
  // mcr never reads an output socket, but a connected socket still queues what its
  // peer sends back to it: a unicast receiver could park up to a receive buffer's worth
  // of memory per output. Dropped before it is queued.
  if (!DropEverything(fd.get(), error)) return Fd();
  // Connected: sends need no address, and the kernel looks the route up once.
  sockaddr_in destination = Endpoint(output.group, output.port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&destination), sizeof destination) != 0) {
    *error = SysError("connecting to " + AddressText(output.group) + ":" + std::to_string(output.port) + where, errno);
    return Fd();
  }
  return fd;
}

Fd OpenMembershipSocket(int ifindex, uint32_t group, uint32_t source, std::string* error) {
  Fd fd = UdpSocket(error);
  if (!fd.valid() || !DropEverything(fd.get(), error)) return Fd();
  const std::string what = "joining " + AddressText(group) + (source ? " from " + AddressText(source) : "");
  // The protocol-independent API names the interface by index, so interfaces without
  // an IPv4 address can join too.
  if (source == 0) {
    group_req request{};
    request.gr_interface = static_cast<uint32_t>(ifindex);
    sockaddr_in g = Endpoint(group, 0);
    std::memcpy(&request.gr_group, &g, sizeof g);
    if (!Set(fd.get(), IPPROTO_IP, MCAST_JOIN_GROUP, &request, sizeof request, what, error)) return Fd();
  } else {
    group_source_req request{};
    request.gsr_interface = static_cast<uint32_t>(ifindex);
    sockaddr_in g = Endpoint(group, 0);
    sockaddr_in s = Endpoint(source, 0);
    std::memcpy(&request.gsr_group, &g, sizeof g);
    std::memcpy(&request.gsr_source, &s, sizeof s);
    if (!Set(fd.get(), IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &request, sizeof request, what, error)) return Fd();
  }
  return fd;
}

Fd OpenUnicastCatcher(uint32_t address, uint16_t port, std::string* error) {
  Fd fd = UdpSocket(error);
  if (!fd.valid() || !DropEverything(fd.get(), error)) return Fd();
  // IP_FREEBIND: the address may not be configured (yet); then nothing arrives here and
  // nothing is lost.
  SetInt(fd.get(), IPPROTO_IP, IP_FREEBIND, 1, "IP_FREEBIND", error);
  SetInt(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", error);
  sockaddr_in local = Endpoint(address, port);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    *error = SysError("binding a catcher to " + AddressText(address) + ":" + std::to_string(port), errno);
    return Fd();
  }
  return fd;
}

}  // namespace mcr
