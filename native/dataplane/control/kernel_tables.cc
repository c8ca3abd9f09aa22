#include "kernel_tables.h"

#include <ifaddrs.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "../fd.h"
#include "../sys_error.h"

namespace mcr {
namespace {

constexpr int kReplyTimeoutMs = 300;
constexpr uint16_t kDiscardPort = 9;  // RFC 863

// One rtnetlink request under construction: a header, a fixed family struct, and
// attributes, in one aligned buffer.
class Request {
 public:
  Request(uint16_t type, uint16_t flags, const void* body, size_t body_size) {
    header()->nlmsg_type = type;
    header()->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
    header()->nlmsg_seq = 1;
    header()->nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(body_size));
    std::memcpy(NLMSG_DATA(header()), body, body_size);
  }

  void Add(uint16_t type, const void* data, size_t size) {
    const size_t at = NLMSG_ALIGN(header()->nlmsg_len);
    auto* attribute = reinterpret_cast<rtattr*>(buffer_ + at);
    attribute->rta_type = type;
    attribute->rta_len = static_cast<uint16_t>(RTA_LENGTH(size));
    std::memcpy(RTA_DATA(attribute), data, size);
    header()->nlmsg_len = static_cast<uint32_t>(at + RTA_ALIGN(attribute->rta_len));
  }
  void AddAddress(uint16_t type, const IpAddress& address) {
    if (address.is_ipv4()) Add(type, address.ipv4_bytes(), 4);
    else Add(type, address.bytes(), IpAddress::kSize);
  }

  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buffer_); }

 private:
  alignas(nlmsghdr) char buffer_[256] = {};
};

using Visit = std::function<void(const nlmsghdr&)>;

// Sends the request and hands every reply message (not errors or acks) to visit.
// Returns 0, or the errno the kernel (or the socket) answered with.
int Transact(Request& request, const Visit& visit) {
  Fd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return errno;
  timeval timeout{0, kReplyTimeoutMs * 1000};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  // Ask for an ack even on success, so the reply loop always ends with NLMSG_ERROR or
  // NLMSG_DONE instead of a timeout.
  request.header()->nlmsg_flags = static_cast<uint16_t>(request.header()->nlmsg_flags | NLM_F_ACK);
  if (send(fd.get(), request.header(), request.header()->nlmsg_len, 0) < 0) return errno;
  alignas(nlmsghdr) char buffer[8192];
  for (;;) {
    const ssize_t received = recv(fd.get(), buffer, sizeof buffer, 0);
    if (received < 0) return errno == EINTR ? EINTR : errno;
    int remaining = static_cast<int>(received);
    for (auto* reply = reinterpret_cast<const nlmsghdr*>(buffer); NLMSG_OK(reply, remaining);
         reply = NLMSG_NEXT(reply, remaining)) {
      if (reply->nlmsg_type == NLMSG_DONE) return 0;
      if (reply->nlmsg_type == NLMSG_ERROR) {
        if (reply->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return EPROTO;
        return -static_cast<const nlmsgerr*>(NLMSG_DATA(reply))->error;
      }
      visit(*reply);
    }
  }
}

// Calls found(type, data, size) for each attribute after the fixed part of a reply.
template <typename Fixed, typename Found>
void ForEachAttribute(const nlmsghdr& reply, Found&& found) {
  if (reply.nlmsg_len < NLMSG_LENGTH(sizeof(Fixed))) return;
  const auto* first = reinterpret_cast<const rtattr*>(static_cast<const char*>(NLMSG_DATA(&reply)) +
                                                      NLMSG_ALIGN(sizeof(Fixed)));
  int length = static_cast<int>(reply.nlmsg_len - NLMSG_LENGTH(sizeof(Fixed)));
  for (const rtattr* attribute = first; RTA_OK(attribute, length); attribute = RTA_NEXT(attribute, length)) {
    found(attribute->rta_type, static_cast<const uint8_t*>(RTA_DATA(attribute)), RTA_PAYLOAD(attribute));
  }
}

bool AddressFrom(IpFamily family, const uint8_t* data, size_t size, IpAddress* out) {
  if (family == IpFamily::kIpv4 && size == 4) *out = IpAddress::FromIpv4Bytes(data);
  else if (family == IpFamily::kIpv6 && size == IpAddress::kSize) *out = IpAddress::FromIpv6Bytes(data);
  else return false;
  return true;
}

uint8_t FamilyOf(const IpAddress& address) { return address.is_ipv4() ? AF_INET : AF_INET6; }

}  // namespace

bool QueryLink(int ifindex, LinkFacts* out, std::string* error) {
  ifreq request{};
  if (if_indextoname(static_cast<unsigned>(ifindex), request.ifr_name) == nullptr) {
    *error = SysError("looking up interface " + std::to_string(ifindex), errno);
    return false;
  }
  Fd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid() || ioctl(fd.get(), SIOCGIFHWADDR, &request) != 0) {
    *error = SysError(std::string("reading the hardware address of ") + request.ifr_name, errno);
    return false;
  }
  out->ethernet = request.ifr_hwaddr.sa_family == ARPHRD_ETHER;
  std::memcpy(out->mac, request.ifr_hwaddr.sa_data, sizeof out->mac);
  if (ioctl(fd.get(), SIOCGIFMTU, &request) != 0) {
    *error = SysError(std::string("reading the MTU of ") + request.ifr_name, errno);
    return false;
  }
  out->mtu = static_cast<uint32_t>(request.ifr_mtu);
  return true;
}

bool PrimaryAddress(int ifindex, IpFamily family, bool link_scope, IpAddress* out) {
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) return false;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return false;
  bool found = false;
  for (const ifaddrs* entry = list; entry != nullptr && !found; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || std::strcmp(entry->ifa_name, name) != 0) continue;
    if (family == IpFamily::kIpv4 && entry->ifa_addr->sa_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
      *out = IpAddress::FromIpv4Bytes(reinterpret_cast<const uint8_t*>(&v4->sin_addr));
      found = true;
    } else if (family == IpFamily::kIpv6 && entry->ifa_addr->sa_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
      const IpAddress candidate = IpAddress::FromIpv6Bytes(reinterpret_cast<const uint8_t*>(&v6->sin6_addr));
      // A link-local source for link-scope destinations, a wider one otherwise.
      if (candidate.IsLinkScope() == link_scope) {
        *out = candidate;
        found = true;
      }
    }
  }
  freeifaddrs(list);
  return found;
}

bool DirectedBroadcast(int ifindex, IpAddress* out) {
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) return false;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return false;
  bool found = false;
  for (const ifaddrs* entry = list; entry != nullptr && !found; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_netmask == nullptr || std::strcmp(entry->ifa_name, name) != 0 ||
        entry->ifa_addr->sa_family != AF_INET) {
      continue;
    }
    const uint32_t address = ntohl(reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr.s_addr);
    const uint32_t mask = ntohl(reinterpret_cast<const sockaddr_in*>(entry->ifa_netmask)->sin_addr.s_addr);
    *out = IpAddress::FromIpv4(mask >= 0xfffffffeu ? 0xffffffffu : (address | ~mask));
    found = true;
  }
  freeifaddrs(list);
  return found;
}

bool NextHop(const IpAddress& destination, int ifindex, IpAddress* hop, std::string* error) {
  rtmsg body{};
  body.rtm_family = FamilyOf(destination);
  body.rtm_dst_len = destination.is_ipv4() ? 32 : 128;
  Request request(RTM_GETROUTE, 0, &body, sizeof body);
  request.AddAddress(RTA_DST, destination);
  const uint32_t oif = static_cast<uint32_t>(ifindex);
  request.Add(RTA_OIF, &oif, sizeof oif);
  *hop = destination;
  bool routed = false;
  uint32_t out_interface = 0;
  const int err = Transact(request, [&](const nlmsghdr& reply) {
    if (reply.nlmsg_type != RTM_NEWROUTE) return;
    routed = true;
    ForEachAttribute<rtmsg>(reply, [&](uint16_t type, const uint8_t* data, size_t size) {
      if (type == RTA_GATEWAY) AddressFrom(destination.family(), data, size, hop);
      if (type == RTA_OIF && size == sizeof out_interface) std::memcpy(&out_interface, data, size);
    });
  });
  if (err != 0 || !routed) {
    *error = SysError("finding the route to " + destination.ToString(), err != 0 ? err : ENETUNREACH);
    return false;
  }
  if (out_interface != 0 && out_interface != oif) {
    *error = "the route to " + destination.ToString() + " leaves through another interface";
    return false;
  }
  return true;
}

NeighbourState LookupNeighbour(const IpAddress& hop, int ifindex, uint8_t mac[6]) {
  ndmsg body{};
  body.ndm_family = FamilyOf(hop);
  body.ndm_ifindex = ifindex;
  Request request(RTM_GETNEIGH, 0, &body, sizeof body);
  request.AddAddress(NDA_DST, hop);
  NeighbourState state = NeighbourState::kUnresolved;
  Transact(request, [&](const nlmsghdr& reply) {
    if (reply.nlmsg_type != RTM_NEWNEIGH || reply.nlmsg_len < NLMSG_LENGTH(sizeof(ndmsg))) return;
    const auto* info = static_cast<const ndmsg*>(NLMSG_DATA(&reply));
    if ((info->ndm_state & NUD_FAILED) != 0) {
      state = NeighbourState::kFailed;
      return;
    }
    if ((info->ndm_state & (NUD_INCOMPLETE | NUD_NONE)) != 0 || info->ndm_state == NUD_NONE) return;
    ForEachAttribute<ndmsg>(reply, [&](uint16_t type, const uint8_t* data, size_t size) {
      if (type != NDA_LLADDR || size != 6) return;
      std::memcpy(mac, data, 6);
      state = NeighbourState::kResolved;
    });
  });
  return state;
}

void RequestResolution(const IpAddress& hop, int ifindex) {
  ndmsg body{};
  body.ndm_family = FamilyOf(hop);
  body.ndm_ifindex = ifindex;
  body.ndm_state = NUD_NONE;
  // NTF_USE: "use" the entry as the output path would, which starts resolution (or
  // re-probes a stale entry); the entry is created if missing.
  body.ndm_flags = NTF_USE;
  Request request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, &body, sizeof body);
  request.AddAddress(NDA_DST, hop);
  if (Transact(request, [](const nlmsghdr&) {}) != EPERM) return;
  // Changing the neighbour table takes CAP_NET_ADMIN, which mcrd's unit does not grant.
  // Then do what makes the kernel resolve a hop for anyone: send it something. One
  // empty datagram to its discard port (9), from a socket bound to the interface, at
  // most once per refresh while the hop is unresolved.
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) return;
  Fd fd(socket(hop.is_ipv4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid() ||
      setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, name, static_cast<socklen_t>(std::strlen(name))) != 0) {
    return;
  }
  sockaddr_storage address{};
  socklen_t length = 0;
  if (hop.is_ipv4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(kDiscardPort);
    std::memcpy(&v4->sin_addr, hop.ipv4_bytes(), 4);
    length = sizeof *v4;
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(kDiscardPort);
    std::memcpy(&v6->sin6_addr, hop.bytes(), IpAddress::kSize);
    v6->sin6_scope_id = hop.IsLinkScope() ? static_cast<uint32_t>(ifindex) : 0;
    length = sizeof *v6;
  }
  (void)!sendto(fd.get(), nullptr, 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&address), length);
}

bool KernelView::Link(int ifindex, LinkFacts* out, std::string* error) {
  auto found = links_.find(ifindex);
  if (found == links_.end()) {
    LinkAnswer answer;
    answer.ok = QueryLink(ifindex, &answer.facts, &answer.error);
    found = links_.emplace(ifindex, answer).first;
  }
  *out = found->second.facts;
  if (!found->second.ok) *error = found->second.error;
  return found->second.ok;
}

bool KernelView::Address(int ifindex, IpFamily family, bool link_scope, IpAddress* out) {
  const auto key = std::make_tuple(ifindex, family, link_scope);
  auto found = addresses_.find(key);
  if (found == addresses_.end()) {
    AddressAnswer answer;
    answer.ok = PrimaryAddress(ifindex, family, link_scope, &answer.address);
    found = addresses_.emplace(key, answer).first;
  }
  *out = found->second.address;
  return found->second.ok;
}

}  // namespace mcr
