// Implementation of gen_send.h.
#include "gen_send.h"

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli.h"
#include "media_payload.h"

namespace mcr::tools {

namespace {

// ICMP errors queued by IP_RECVERR would fill the error queue; they are counted when
// sendmmsg reports them, so the queued copies are only read and thrown away.
void DrainErrorQueue(int fd) {
  char buf[256];
  char control[512];
  for (int i = 0; i < 64; ++i) {
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
  }
}

}  // namespace

BatchSender::BatchSender(const Destinations& dest, int fd, uint64_t deadline_ns,
                         const volatile sig_atomic_t* stop)
    : dest_(dest), fd_(fd), deadline_ns_(deadline_ns), stop_(stop),
      buffers_(kSendBatch * std::max<size_t>(dest.size, 1)), iovs_(kSendBatch), msgs_(kSendBatch),
      addrs_(dest.streams) {
  for (uint32_t k = 0; k < dest.streams; ++k) {
    IpAddress group;
    AddressPlus(dest.group, k, &group);  // the caller made sure it does not wrap
    if (group.is_ipv4()) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&addrs_[k]);
      v4->sin_family = AF_INET;
      v4->sin_port = htons(dest.port);
      std::memcpy(&v4->sin_addr, group.ipv4_bytes(), 4);
      addr_len_ = sizeof(sockaddr_in);
    } else {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&addrs_[k]);
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(dest.port);
      std::memcpy(&v6->sin6_addr, group.bytes(), IpAddress::kSize);
      v6->sin6_scope_id = group.IsLinkScope() ? dest.ifindex : 0;
      addr_len_ = sizeof(sockaddr_in6);
    }
  }
}

size_t BatchSender::Send(uint64_t first, size_t n, SendTotals* totals) {
  const size_t stride = std::max<size_t>(dest_.size, 1);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t index = first + i;
    const uint32_t k = static_cast<uint32_t>(index % dest_.streams);
    uint8_t* buf = buffers_.data() + i * stride;
    FillMedia(dest_.kind, dest_.first_stream + k, index / dest_.streams, dest_.rate, dest_.size, buf, dest_.first_sequence);
    iovs_[i] = iovec{buf, dest_.size};
    msgs_[i] = mmsghdr{};
    msgs_[i].msg_hdr.msg_name = &addrs_[k];
    msgs_[i].msg_hdr.msg_namelen = addr_len_;
    msgs_[i].msg_hdr.msg_iov = &iovs_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
  }
  size_t done = 0;
  while (done < n) {
    // A media stream's datagrams go one per call: when sendmmsg fails on a datagram
    // after others went, it reports only those, and the refused one would be sent again.
    const unsigned vlen = dest_.kind == MediaKind::kTest ? static_cast<unsigned>(n - done) : 1u;
    const int r = sendmmsg(fd_, msgs_.data() + done, vlen, 0);
    if (r > 0) {
      done += static_cast<size_t>(r);
      totals->sent += static_cast<uint64_t>(r);
      totals->consecutive_errors = 0;
      totals->last_send_ns = NowNanos();
      continue;
    }
    const int err = r < 0 ? errno : EAGAIN;
    if (*stop_ || NowNanos() >= deadline_ns_) return done;
    if (err == EINTR) continue;
    if (err == ENOBUFS && dest_.kind != MediaKind::kTest) {
      ++totals->refused;
      ++done;
      continue;
    }
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
      // The socket buffer or the device queue is full: wait a little, same datagram.
      ++totals->retries;
      if (err == ENOBUFS) {
        usleep(20);
      } else {
        pollfd pfd{fd_, POLLOUT, 0};
        poll(&pfd, 1, 10);
      }
      continue;
    }
    ++totals->errors;
    totals->last_error = err;
    DrainErrorQueue(fd_);
    // ECONNREFUSED is an ICMP report about an earlier datagram: this one was not sent
    // and is retried. Any other error is about this datagram: it is skipped (the sink
    // will count it lost).
    if (err != ECONNREFUSED) ++done;
    if (++totals->consecutive_errors >= kMaxConsecutiveErrors) return done;
  }
  return done;
}

}  // namespace mcr::tools
