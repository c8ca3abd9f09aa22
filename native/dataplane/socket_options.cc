#include "socket_options.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "sys_error.h"

namespace mcr {

bool SetSocketOption(int fd, int level, int name, const void* value, socklen_t size, const std::string& what,
                     std::string* error) {
  if (setsockopt(fd, level, name, value, size) == 0) return true;
  *error = SysError(what, errno);
  return false;
}

bool SetIntOption(int fd, int level, int name, int value, const std::string& what, std::string* error) {
  return SetSocketOption(fd, level, name, &value, sizeof value, what, error);
}

bool AttachFilter(int fd, const std::vector<sock_filter>& program, const std::string& what, std::string* error) {
  sock_fprog fprog{static_cast<unsigned short>(program.size()), const_cast<sock_filter*>(program.data())};
  return SetSocketOption(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog, what, error);
}

bool AttachDropAllFilter(int fd, std::string* error) {
  static const std::vector<sock_filter> kDropAll{{BPF_RET | BPF_K, 0, 0, 0}};
  return AttachFilter(fd, kDropAll, "attaching a drop-all filter", error);
}

int SocketFamily(const IpAddress& address) { return address.is_ipv4() ? AF_INET : AF_INET6; }

socklen_t ToSocketAddress(const IpAddress& address, uint16_t port, uint32_t scope_id, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  if (address.is_ipv4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    std::memcpy(&v4->sin_addr, address.ipv4_bytes(), 4);
    return sizeof *v4;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(port);
  std::memcpy(&v6->sin6_addr, address.bytes(), IpAddress::kSize);
  v6->sin6_scope_id = address.IsLinkScope() ? scope_id : 0;
  return sizeof *v6;
}

}  // namespace mcr
