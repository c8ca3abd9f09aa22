#include "frame_channel.h"

#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cerrno>

#include "../socket_options.h"
#include "../sys_error.h"

namespace mcr {
namespace {

constexpr int kSendBuffer = 4 << 20;  // absorbs a burst of a few ms at line rate

}  // namespace

std::shared_ptr<FrameChannel> FrameChannel::Open(int ifindex, std::string* error) {
  // Protocol 0: the socket is never handed a received frame, so it costs the receive
  // path nothing; the kernel reads each sent frame's protocol from its Ethernet header.
  Fd fd(socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    *error = SysError("opening an AF_PACKET socket for frame output", errno);
    return nullptr;
  }
  // Each frame starts with a virtio_net_hdr: the UDP checksum is finished by the kernel
  // or the NIC, and one frame may be cut into many datagrams (UDP segmentation).
  if (!SetIntOption(fd.get(), SOL_PACKET, PACKET_VNET_HDR, 1, "enabling PACKET_VNET_HDR for frame output", error)) {
    return nullptr;
  }
  std::string ignored;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &kSendBuffer, sizeof kSendBuffer) != 0) {
    SetIntOption(fd.get(), SOL_SOCKET, SO_SNDBUF, kSendBuffer, "setting the send buffer", &ignored);
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = 0;
  address.sll_ifindex = ifindex;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    *error = SysError("binding the frame output socket to its interface", errno);
    return nullptr;
  }
  return std::shared_ptr<FrameChannel>(new FrameChannel(std::move(fd), ifindex));
}

std::shared_ptr<FrameChannel> FrameChannels::Get(int ifindex, std::string* error) {
  std::shared_ptr<FrameChannel> channel = open_[ifindex].lock();
  if (channel) return channel;
  channel = FrameChannel::Open(ifindex, error);
  if (channel) open_[ifindex] = channel;
  else open_.erase(ifindex);
  return channel;
}

}  // namespace mcr
