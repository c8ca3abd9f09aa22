// Plain C++ descriptions of what the data plane is asked to do. The addon copies JS
// values into these at the boundary; from there on, no JS value is touched, and worker
// threads only ever see these structs (or what the control plane builds from them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mcr {

enum class BackendChoice : uint8_t { kAuto, kIoUring, kSyscalls };

struct DataPlaneOptions {
  uint32_t workers = 1;
  std::vector<uint32_t> cpus;  // worker i is pinned to cpus[i % size]; empty: no pinning
  BackendChoice backend = BackendChoice::kAuto;
  uint32_t max_rules = 4096;      // counter slots, fixed for the data plane's life
  uint32_t max_outputs = 65536;
  // A TPACKET_V3 block is handed over when full or after the timeout, whichever comes
  // first, so at low rates each block holds a few datagrams and the ring's depth in
  // time is about block_count x timeout. Many small blocks keep that depth (half a
  // second) for a worker that is descheduled on an overloaded machine; 16 MiB absorbs
  // bursts at high rates. A block must hold the largest frame: 32 KiB fits jumbo frames.
  uint32_t ring_block_size = 1u << 15;  // 32 KiB
  uint32_t ring_block_count = 512;      // 16 MiB of ring per ingress socket
  uint32_t ring_block_timeout_ms = 1;   // latency bound for a partly filled block
};

// All addresses and ports in host byte order.
struct OutputSpec {
  std::string key;        // identity within its rule (see outputKey in src/config/ruleset.ts)
  std::string interface;
  uint32_t group = 0;
  uint16_t port = 0;
  uint8_t ttl = 1;
  uint32_t source_address = 0;  // 0: the kernel chooses
};

struct RuleSpec {
  std::string key;  // the rule's identity: its input
  std::string interface;
  uint32_t group = 0;
  uint16_t port = 0;
  uint32_t source = 0;  // 0: any source
  std::vector<OutputSpec> outputs;
};

}  // namespace mcr
