// mcr-gen's sending half: fills a batch of test payloads (payload.h) for consecutive
// datagram indexes and pushes it through sendmmsg, retrying on a full buffer and
// counting errors. Pacing is the caller's (pacing.h).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "media_payload.h"
#include "../core/address.h"

namespace mcr::tools {

inline constexpr size_t kSendBatch = 64;
// After this many send errors in a row the destination is plainly unusable.
inline constexpr uint64_t kMaxConsecutiveErrors = 1000;

struct Destinations {
  IpAddress group;  // stream k goes to group + k (AddressPlus)
  uint16_t port = 0;
  uint32_t streams = 1;
  uint32_t first_stream = 0;
  uint32_t size = 0;  // UDP payload bytes
  MediaKind kind = MediaKind::kTest;  // what the payload is (media_payload.h)
  uint64_t rate = 0;                  // datagrams per second per stream, for RTP timestamps
  uint16_t first_sequence = 0;        // the RTP sequence number of datagram 0
  unsigned ifindex = 0;  // the scope of a link-scope IPv6 group; 0: none
};

struct SendTotals {
  uint64_t sent = 0;
  uint64_t retries = 0;  // EAGAIN/ENOBUFS: buffer or device queue full, datagram retried
  uint64_t errors = 0;   // anything else sendmmsg reported
  // Media payloads only: datagrams the kernel refused (ENOBUFS: a full device queue, or
  // a drop on the egress path) and that were not retried, as a live sender keeps to its
  // schedule rather than send late.
  uint64_t refused = 0;
  uint64_t consecutive_errors = 0;
  int last_error = 0;
  uint64_t last_send_ns = 0;
};

class BatchSender {
 public:
  // Gives up (returns early from Send) at deadline_ns or once *stop is set.
  BatchSender(const Destinations& dest, int fd, uint64_t deadline_ns, const volatile sig_atomic_t* stop);

  // Sends datagrams [first, first + n), n <= kSendBatch: datagram i is stream
  // i % streams, sequence i / streams. Returns how many were dealt with (sent, or
  // skipped after an error); fewer than n means stop.
  size_t Send(uint64_t first, size_t n, SendTotals* totals);

 private:
  Destinations dest_;
  int fd_;
  uint64_t deadline_ns_;
  const volatile sig_atomic_t* stop_;
  std::vector<uint8_t> buffers_;
  std::vector<iovec> iovs_;
  std::vector<mmsghdr> msgs_;
  std::vector<sockaddr_storage> addrs_;
  socklen_t addr_len_ = 0;
};

}  // namespace mcr::tools
