#include "sys_error.h"

#include <cerrno>
#include <cstring>

namespace mcr {

std::string SysError(const std::string& what, int err) {
  std::string text = what + ": " + std::strerror(err);
  switch (err) {
    case EPERM:
    case EACCES:
      text += " (run as root, or grant CAP_NET_RAW)";
      break;
    case ENODEV:
    case ENXIO:
      text += " (no such interface)";
      break;
    case EADDRNOTAVAIL:
      text += " (the address is not configured on this host)";
      break;
    default:
      break;
  }
  return text;
}

}  // namespace mcr
