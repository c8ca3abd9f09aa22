// The systemd notification protocol (sd_notify) without libsystemd: one datagram to
// the Unix socket named by $NOTIFY_SOCKET. Node has no Unix datagram sockets, so the
// daemon sends through this.
#pragma once

#include <string>

namespace mcr {

// Sends message to the socket at path ("@name" is the abstract namespace). Returns
// false with *error set when it cannot.
bool SendNotification(const std::string& path, const std::string& message, std::string* error);

}  // namespace mcr
