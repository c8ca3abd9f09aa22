// What became of a send, for both backends: its result counted against its output and
// worker, and a socket's pending error cleared so a downed link cannot make a worker
// spin. No policy about retrying: a send that fails is counted and forgotten.
#pragma once

#include <cstdint>

#include "../counters.h"
#include "send_queue.h"

namespace mcr {

// result is bytes sent (headers included), or -errno. A sent message counts each
// datagram it carries and their payload bytes, whatever headers went with them; a full
// buffer (EAGAIN, ENOBUFS) drops them all; any other error (interface down, no
// route...) makes them all errors.
void RecordSend(CounterMemory* counters, uint32_t worker, const OutgoingMessage& message, long result);

// Reads and so clears a socket's pending error. A packet socket whose link goes down
// keeps ENETDOWN pending, and poll() reports POLLERR at once for as long as it stays:
// without this a worker would spin on a downed link. Link state itself reaches the
// control plane through netlink.
void ClearSocketError(int fd);

}  // namespace mcr
