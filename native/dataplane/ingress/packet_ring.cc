#include "packet_ring.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>

#include "../socket_options.h"
#include "../sys_error.h"

namespace mcr {
namespace {

// PACKET_FANOUT_FLAG_IGNORE_OUTGOING (Linux 6.2), which older headers do not name.
constexpr int kFanoutIgnoreOutgoing = 0x4000;

bool SetOption(int fd, int name, const void* value, socklen_t size, const char* what, std::string* error) {
  return SetSocketOption(fd, SOL_PACKET, name, value, size, what, error);
}

}  // namespace

PacketRing::~PacketRing() {
  if (map_ != nullptr) munmap(map_, map_size_);
}

std::unique_ptr<PacketRing> PacketRing::Open(int ifindex, const RingGeometry& geometry, std::string* error) {
  // Protocol 0: nothing is queued until bind() names the protocol and the interface.
  Fd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) {
    *error = SysError("opening an AF_PACKET socket", errno);
    return nullptr;
  }
  if (!AttachDropAllFilter(fd.get(), error)) return nullptr;
  int version = TPACKET_V3;
  if (!SetOption(fd.get(), PACKET_VERSION, &version, sizeof version, "selecting TPACKET_V3", error)) return nullptr;
  // The relay must never read back what it sends out of the same interface.
  int ignore = 1;
  if (!SetOption(fd.get(), PACKET_IGNORE_OUTGOING, &ignore, sizeof ignore,
                 "setting PACKET_IGNORE_OUTGOING (needs Linux >= 4.20)", error)) {
    return nullptr;
  }
  // A virtio_net_hdr before each frame says whether it is a segmentation-offload
  // frame (several datagrams, not yet cut: a sender on this host using UDP_SEGMENT, or
  // another relay's frame output, across a veth). Without it such a frame would read as
  // one oversized datagram. Must be set before the ring; a kernel without it for
  // TPACKET_V3 leaves those frames uncut (they are then counted as too big on the way
  // out).
  int vnet = 1;
  std::string ignored;
  const bool vnet_header = SetOption(fd.get(), PACKET_VNET_HDR, &vnet, sizeof vnet, "PACKET_VNET_HDR", &ignored);
  tpacket_req3 request{};
  request.tp_block_size = geometry.block_size;
  request.tp_block_nr = geometry.block_count;
  request.tp_frame_size = 2048;  // only used by the kernel to size its frame count
  request.tp_frame_nr = (geometry.block_size / request.tp_frame_size) * geometry.block_count;
  request.tp_retire_blk_tov = geometry.block_timeout_ms;
  if (!SetOption(fd.get(), PACKET_RX_RING, &request, sizeof request, "creating the receive ring", error)) return nullptr;
  const size_t map_size = size_t{geometry.block_size} * geometry.block_count;
  void* map = mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd.get(), 0);
  if (map == MAP_FAILED) {
    // MAP_LOCKED can fail under a low RLIMIT_MEMLOCK; the ring works without it.
    map = mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  }
  if (map == MAP_FAILED) {
    *error = SysError("mapping the receive ring", errno);
    return nullptr;
  }
  std::unique_ptr<PacketRing> ring(
      new PacketRing(std::move(fd), ifindex, static_cast<uint8_t*>(map), map_size, geometry));
  ring->vnet_header_ = vnet_header;
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = ifindex;
  if (bind(ring->fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    *error = SysError("binding the AF_PACKET socket to its interface", errno);
    return nullptr;
  }
  return ring;
}

bool PacketRing::JoinFanout(int fanout_id, bool programmed, std::string* error) {
  // Hash mode keeps each flow on one socket, so one worker: no duplicates, no reordering.
  // mcr's program (fanout_program.h) does the same, and steers some flows on purpose.
  // Once in a group, the kernel delivers through the group's hook, not the socket's: the
  // socket's PACKET_IGNORE_OUTGOING no longer applies, and the group must say it too, or
  // every frame mcr sends out of this interface comes back as input (two rules relaying
  // a group both ways between two interfaces would loop). Linux < 6.2 does not know the
  // flag: there the group is joined without it.
  const int mode = (programmed ? PACKET_FANOUT_CBPF : PACKET_FANOUT_HASH) | kFanoutIgnoreOutgoing;
  int argument = fanout_id < 0 ? ((mode | PACKET_FANOUT_FLAG_UNIQUEID) << 16) : ((mode << 16) | fanout_id);
  if (setsockopt(fd(), SOL_PACKET, PACKET_FANOUT, &argument, sizeof argument) != 0) {
    if (errno != EINVAL) {
      *error = SysError("joining the fanout group", errno);
      return false;
    }
    argument &= ~(kFanoutIgnoreOutgoing << 16);
    if (!SetOption(fd(), PACKET_FANOUT, &argument, sizeof argument, "joining the fanout group", error)) return false;
  }
  if (fanout_id < 0) {
    int value = 0;
    socklen_t size = sizeof value;
    if (getsockopt(fd(), SOL_PACKET, PACKET_FANOUT, &value, &size) != 0) {
      *error = SysError("reading the fanout group id", errno);
      return false;
    }
    fanout_id = value & 0xffff;
  }
  fanout_id_ = fanout_id;
  return true;
}

bool PacketRing::SetFanoutProgram(const std::vector<sock_filter>& program, std::string* error) {
  sock_fprog fprog{static_cast<unsigned short>(program.size()), const_cast<sock_filter*>(program.data())};
  return SetOption(fd(), PACKET_FANOUT_DATA, &fprog, sizeof fprog,
                   "setting the fanout program (PACKET_FANOUT_DATA, needs Linux >= 4.5)", error);
}

bool PacketRing::SetFilter(const std::vector<sock_filter>& program, std::string* error) {
  return AttachFilter(fd(), program, "attaching the ingress filter", error);
}

tpacket_block_desc* PacketRing::ReadyBlock() {
  auto* block = reinterpret_cast<tpacket_block_desc*>(map_ + size_t{next_block_} * geometry_.block_size);
  // Acquire: the frames the kernel wrote must be visible before we read them.
  const uint32_t status = __atomic_load_n(&block->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
  return (status & TP_STATUS_USER) != 0 ? block : nullptr;
}

void PacketRing::Advance() { next_block_ = (next_block_ + 1) % geometry_.block_count; }

void PacketRing::ReleaseBlock(tpacket_block_desc* block) {
  // Release: our reads of the block are done before the kernel may overwrite it.
  __atomic_store_n(&block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

bool PacketRing::ReadStatistics(uint64_t* drops, uint64_t* freezes) {
  tpacket_stats_v3 stats{};
  socklen_t size = sizeof stats;
  if (getsockopt(fd(), SOL_PACKET, PACKET_STATISTICS, &stats, &size) != 0) return false;
  *drops = stats.tp_drops;
  *freezes = stats.tp_freeze_q_cnt;
  return true;
}

}  // namespace mcr
