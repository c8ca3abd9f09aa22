#include "notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "../dataplane/fd.h"
#include "../dataplane/sys_error.h"

namespace mcr {

bool SendNotification(const std::string& path, const std::string& message, std::string* error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    *error = "NOTIFY_SOCKET is empty or too long";
    return false;
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  // A leading '@' names a socket in the abstract namespace, which starts with a NUL.
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';
  const socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  Fd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    *error = SysError("opening a notification socket", errno);
    return false;
  }
  const ssize_t sent = sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                              reinterpret_cast<sockaddr*>(&address), length);
  if (sent < 0) {
    *error = SysError("notifying " + path, errno);
    return false;
  }
  return true;
}

}  // namespace mcr
