// What an output is, as workers see it: the extension point for kinds of egress. An
// output owns its descriptor(s), prepares one send per datagram, and names the counter
// slot its results are accounted to. How the prepared sends reach the kernel (io_uring
// or plain system calls) is the backend's business, not the output's.
//
// Life: the control plane opens an output (OpenOutput), hands workers a pointer in a
// rule command, and destroys it only after every worker has acknowledged a later
// command. It is immutable while workers may use it: a change (a new neighbour MAC, a
// new interface index) is a new output object swapped in by the same command that
// swaps rule output lists, so no per-packet synchronisation is needed.
//
// To add a kind: a value in EgressKind (control/specs.h), a subclass in its own file,
// a case in OpenOutput (output.cc), and its name in the addon's argument check.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "../../core/packet.h"
#include "../control/kernel_tables.h"
#include "../control/specs.h"
#include "send_queue.h"

namespace mcr {

// A datagram an output cannot send is counted by the worker under the reason given
// (a new reason: a value here and its counter in the worker's table).
enum class PrepareResult : uint8_t {
  kSend,
  kTooBig,       // larger than the output's MTU: mcr never fragments
  kNoNeighbour,  // the unicast next hop's MAC is not known yet
  kUnsendable,   // the output cannot build this datagram (a bug if it ever counts)
};

class Output {
 public:
  explicit Output(uint32_t counter_slot) : counter_slot_(counter_slot) {}
  virtual ~Output() = default;
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  virtual EgressKind kind() const = 0;
  // Where this output's messages are written; outputs with the same descriptor share
  // a worker's send queue.
  virtual int fd() const = 0;
  // Whether messages carry a header this output writes (the queue then has header room).
  virtual bool writes_headers() const = 0;
  // Control plane: whether what the output was built from (a MAC, an MTU, an address,
  // a next hop) has changed since, so it must be replaced. Asked on link, address and
  // neighbour events.
  virtual bool Outdated(const OutputSpec&, int /*ifindex*/, KernelView*) const { return false; }
  // A unicast frame output whose next hop has no MAC yet: it drops (counted) until
  // replaced by one that has it.
  virtual bool waiting_for_neighbour() const { return false; }

  // Per datagram, on a worker: queues it on `queue` (which is not full) as a new
  // message, or adds it to this output's message at the end of the queue when the kind
  // can carry several datagrams in one send. The payload is not copied: it stays in the
  // receive ring until the queue is flushed. Returns kSend, or why this datagram cannot
  // go out of this output (the worker counts the reason; nothing is queued).
  virtual PrepareResult Enqueue(const UdpDatagram& datagram, SendQueue* queue) const = 0;
  // Before a flush, on a worker: finishes a message this output queued (the lengths
  // and offload header of a message carrying several datagrams). Default: nothing.
  virtual void Seal(OutgoingMessage& /*message*/) const {}
  // On a worker, after a send of a message this output queued failed with errno
  // `error` (already counted): a chance to stop doing what the kernel refused.
  virtual void SendFailed(const OutgoingMessage& /*message*/, int /*error*/) const {}

  uint32_t counter_slot() const { return counter_slot_; }

 private:
  uint32_t counter_slot_;
};

class FrameChannels;

// What opening an output may use from the control plane: the per-interface frame
// sockets, and a view of the kernel's tables for this pass.
struct OutputContext {
  FrameChannels* channels = nullptr;
  KernelView* kernel = nullptr;
};

// Opens the output a spec asks for on interface ifindex (for kAuto: a frame output on
// an Ethernet interface, else a socket output). Null, with *error saying why, when it
// cannot be opened.
std::unique_ptr<Output> OpenOutput(const OutputSpec& spec, int ifindex, uint32_t counter_slot,
                                   const OutputContext& context, std::string* error);

}  // namespace mcr
