#include "link_monitor.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../sys_error.h"

namespace mcr {

std::unique_ptr<LinkMonitor> LinkMonitor::Start(Callback callback, std::string* error) {
  Fd netlink(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  if (!netlink.valid()) {
    *error = SysError("opening a netlink socket", errno);
    return nullptr;
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (bind(netlink.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    *error = SysError("subscribing to link changes", errno);
    return nullptr;
  }
  Fd stop(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop.valid()) {
    *error = SysError("creating an eventfd", errno);
    return nullptr;
  }
  std::unique_ptr<LinkMonitor> monitor(new LinkMonitor(std::move(netlink), std::move(stop), std::move(callback)));
  monitor->thread_ = std::thread([raw = monitor.get()] { raw->Run(); });
  return monitor;
}

LinkMonitor::~LinkMonitor() {
  const uint64_t one = 1;
  (void)!write(stop_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void LinkMonitor::Run() {
  pthread_setname_np(pthread_self(), "mcr-links");
  alignas(nlmsghdr) char buffer[1 << 16];
  for (;;) {
    pollfd fds[2] = {{netlink_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if ((fds[1].revents & POLLIN) != 0) return;
    for (;;) {
      const ssize_t received = recv(netlink_.get(), buffer, sizeof buffer, 0);
      if (received <= 0) {
        // ENOBUFS: events were lost; a synthetic event makes the control plane
        // re-resolve every interface rather than trust a stale view.
        if (received < 0 && errno == ENOBUFS) callback_(LinkEvent{});
        break;
      }
      Parse(buffer, static_cast<size_t>(received));
    }
  }
}

void LinkMonitor::Parse(const char* buffer, size_t length) {
  // NLMSG_OK and RTA_OK check each header against the bytes that remain.
  int remaining = static_cast<int>(length);
  for (auto* header = reinterpret_cast<const nlmsghdr*>(buffer); NLMSG_OK(header, remaining);
       header = NLMSG_NEXT(header, remaining)) {
    if (header->nlmsg_type == RTM_NEWADDR || header->nlmsg_type == RTM_DELADDR) {
      if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) continue;
      LinkEvent event;
      event.kind = LinkEvent::Kind::kAddress;
      event.ifindex = static_cast<int>(static_cast<const ifaddrmsg*>(NLMSG_DATA(header))->ifa_index);
      callback_(event);
      continue;
    }
    if (header->nlmsg_type == RTM_NEWNEIGH || header->nlmsg_type == RTM_DELNEIGH) {
      if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ndmsg))) continue;
      LinkEvent event;
      event.kind = LinkEvent::Kind::kNeighbour;
      event.ifindex = static_cast<const ndmsg*>(NLMSG_DATA(header))->ndm_ifindex;
      callback_(event);
      continue;
    }
    if (header->nlmsg_type != RTM_NEWLINK && header->nlmsg_type != RTM_DELLINK) continue;
    if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
    const auto* info = static_cast<const ifinfomsg*>(NLMSG_DATA(header));
    LinkEvent event;
    event.ifindex = info->ifi_index;
    event.removed = header->nlmsg_type == RTM_DELLINK;
    event.up = (info->ifi_flags & IFF_UP) != 0;
    event.running = (info->ifi_flags & IFF_RUNNING) != 0;
    int attributes_length = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof(ifinfomsg)));
    for (const rtattr* attribute = IFLA_RTA(info); RTA_OK(attribute, attributes_length);
         attribute = RTA_NEXT(attribute, attributes_length)) {
      if (attribute->rta_type != IFLA_IFNAME) continue;
      const char* name = static_cast<const char*>(RTA_DATA(attribute));
      event.name.assign(name, strnlen(name, RTA_PAYLOAD(attribute)));
    }
    callback_(event);
  }
}

}  // namespace mcr
