#include "socket_output.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include <cstring>

#include "../control/kernel_tables.h"
#include "../socket_options.h"
#include "../sys_error.h"

namespace mcr {
namespace {

constexpr int kSendBuffer = 4 << 20;  // absorbs a burst of a few ms at line rate
constexpr int kUdpSegment = 103;      // UDP_SEGMENT (linux/udp.h, Linux >= 4.18)
constexpr size_t kMaxSegmentedPayload = 65000;  // well inside one 64 KiB send

// Multicast interface, hop limit and loopback for the destination's family.
bool SetDeliveryOptions(int fd, const OutputSpec& output, int ifindex, const std::string& where,
                        std::string* error) {
  const bool multicast = output.group.IsMulticast();
  if (output.group.is_ipv4()) {
    if (!multicast) return SetIntOption(fd, IPPROTO_IP, IP_TTL, output.ttl, "IP_TTL" + where, error);
    ip_mreqn via{};
    via.imr_ifindex = ifindex;
    return SetSocketOption(fd, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via, "IP_MULTICAST_IF" + where, error) &&
           SetIntOption(fd, IPPROTO_IP, IP_MULTICAST_TTL, output.ttl, "IP_MULTICAST_TTL" + where, error) &&
           SetIntOption(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP" + where, error);
  }
  if (!multicast) return SetIntOption(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, output.ttl, "IPV6_UNICAST_HOPS" + where, error);
  return SetIntOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF" + where, error) &&
         SetIntOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, output.ttl, "IPV6_MULTICAST_HOPS" + where, error) &&
         SetIntOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP" + where, error);
}

}  // namespace

std::unique_ptr<SocketOutput> SocketOutput::Open(const OutputSpec& output, int ifindex, uint32_t counter_slot,
                                                 std::string* error) {
  const int family = SocketFamily(output.group);
  Fd fd(socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    *error = SysError("opening a UDP socket", errno);
    return nullptr;
  }
  const std::string where = " for output " + output.key;
  // SO_BINDTODEVICE makes the kernel route this socket's datagrams out of the output
  // interface whatever the routing table says, as an operator expects.
  if (!SetSocketOption(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, output.interface.c_str(),
                       static_cast<socklen_t>(output.interface.size()), "binding to " + output.interface + where,
                       error)) {
    return nullptr;
  }
  // Beyond net.core.wmem_max only with CAP_NET_ADMIN; without it the capped size works.
  std::string ignored;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &kSendBuffer, sizeof kSendBuffer) != 0) {
    SetIntOption(fd.get(), SOL_SOCKET, SO_SNDBUF, kSendBuffer, "setting the send buffer", &ignored);
  }
  if (!SetDeliveryOptions(fd.get(), output, ifindex, where, error)) return nullptr;
  if (output.source == SourceChoice::kPreserve) {
    *error = "output " + output.key + ": source_address = \"preserve\" needs frame egress";
    return nullptr;
  }
  if (output.dscp != 0) {
    const int tos = output.dscp << 2;
    const bool v4 = output.group.is_ipv4();
    if (!SetIntOption(fd.get(), v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TOS : IPV6_TCLASS, tos,
                      (v4 ? "IP_TOS" : "IPV6_TCLASS") + where, error)) {
      return nullptr;
    }
  }
  if (output.source == SourceChoice::kAddress) {
    sockaddr_storage source{};
    const socklen_t length = ToSocketAddress(output.source_address, 0, static_cast<uint32_t>(ifindex), &source);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&source), length) != 0) {
      *error = SysError("using source_address " + output.source_address.ToString() + where, errno);
      return nullptr;
    }
  }
  // mcr never reads an output socket, but a connected socket still queues what its
  // peer sends back to it: a unicast receiver could park up to a receive buffer's worth
  // of memory per output. Dropped before it is queued.
  if (!AttachDropAllFilter(fd.get(), error)) return nullptr;
  // Broadcasts: the kernel sends to a broadcast address only from a socket that says so.
  IpAddress target = output.group;
  if (output.directed && !DirectedBroadcast(ifindex, &target)) {
    *error = "interface " + output.interface + " has no IPv4 address, so no directed broadcast to send to";
    return nullptr;
  }
  if ((output.directed || target == IpAddress::FromIpv4(0xffffffffu)) &&
      !SetIntOption(fd.get(), SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST" + where, error)) {
    return nullptr;
  }
  // Connected: sends need no address, and the kernel looks the route up once.
  sockaddr_storage destination{};
  const socklen_t length = ToSocketAddress(target, output.port, static_cast<uint32_t>(ifindex), &destination);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&destination), length) != 0) {
    *error = SysError("connecting to " + target.ToString() + ":" + std::to_string(output.port) + where, errno);
    return nullptr;
  }
  LinkFacts link;
  const size_t headers = (output.group.is_ipv4() ? 20 : 40) + 8;
  const size_t segment_limit = QueryLink(ifindex, &link, &ignored) && link.mtu > headers ? link.mtu - headers : 0;
  return std::unique_ptr<SocketOutput>(new SocketOutput(std::move(fd), segment_limit, counter_slot));
}

PrepareResult SocketOutput::Enqueue(const UdpDatagram& datagram, SendQueue* queue) const {
  const size_t length = datagram.payload_len;
  OutgoingMessage* open = queue->Open(this);
  if (open != nullptr && open->segments < kMaxSegments && length == open->payload_bytes / open->segments &&
      length > 0 && length <= segment_limit_ && open->payload_bytes + length <= kMaxSegmentedPayload &&
      segmenting_.load(std::memory_order_relaxed)) {
    queue->Add(*open, datagram.payload, length);
    ++open->segments;
    open->payload_bytes += static_cast<uint32_t>(length);
    return PrepareResult::kSend;
  }
  // The socket writes every header; the payload goes as it came, without a copy.
  OutgoingMessage& message = queue->Start(this, counter_slot());
  queue->Add(message, datagram.payload, length);
  message.segments = 1;
  message.payload_bytes = static_cast<uint32_t>(length);
  return PrepareResult::kSend;
}

void SocketOutput::Seal(OutgoingMessage& message) const {
  if (message.segments < 2) return;
  auto* cmsg = reinterpret_cast<cmsghdr*>(message.control);
  cmsg->cmsg_level = IPPROTO_UDP;
  cmsg->cmsg_type = kUdpSegment;
  cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  const uint16_t size = static_cast<uint16_t>(message.payload_bytes / message.segments);
  std::memcpy(CMSG_DATA(cmsg), &size, sizeof size);
  message.control_size = CMSG_SPACE(sizeof(uint16_t));
}

void SocketOutput::SendFailed(const OutgoingMessage& message, int error) const {
  // EINVAL/EIO for a segmented send: this path cannot take them (its MTU is smaller
  // than the interface's, or it is IPsec). Those datagrams are counted as errors; the
  // next ones go alone.
  if (message.segments > 1 && (error == EINVAL || error == EIO || error == EMSGSIZE)) {
    segmenting_.store(false, std::memory_order_relaxed);
  }
}

}  // namespace mcr
