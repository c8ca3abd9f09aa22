// Small helpers every socket the data plane opens goes through: setting an option with
// an error worded for an operator, attaching a classic BPF filter (a drop-all one
// included), and building a socket address of either family. No policy: which options
// a socket needs is decided by its owner (ingress, egress).
#pragma once

#include <linux/filter.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../core/address.h"

namespace mcr {

// setsockopt, with *error = "<what>: <strerror>" (and advice, see SysError) on failure.
bool SetSocketOption(int fd, int level, int name, const void* value, socklen_t size, const std::string& what,
                     std::string* error);
bool SetIntOption(int fd, int level, int name, int value, const std::string& what, std::string* error);

bool AttachFilter(int fd, const std::vector<sock_filter>& program, const std::string& what, std::string* error);
// A socket that exists only for what the kernel does on its behalf (group membership,
// port catching, sending) must never queue what arrives for it: this filter drops all.
bool AttachDropAllFilter(int fd, std::string* error);

// The sockaddr_in or sockaddr_in6 for address:port; scope_id (an interface index) is
// used for link-scope IPv6 addresses. Returns the address length to pass with it.
socklen_t ToSocketAddress(const IpAddress& address, uint16_t port, uint32_t scope_id, sockaddr_storage* out);

// AF_INET or AF_INET6.
int SocketFamily(const IpAddress& address);

}  // namespace mcr
