// Watches the kernel's link, address and neighbour tables (rtnetlink) on its own
// thread and reports each change: an interface added, removed, going up or down (or
// changing its MAC or MTU); an address added or removed; a neighbour entry changing
// (frame outputs follow their next hop's MAC). It only reports; the control plane
// decides what a change means for the rules and outputs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "../fd.h"

namespace mcr {

struct LinkEvent {
  enum class Kind : uint8_t { kLink, kAddress, kNeighbour };
  Kind kind = Kind::kLink;
  int ifindex = 0;
  std::string name;
  bool removed = false;
  bool up = false;       // administratively up (IFF_UP)
  bool running = false;  // carrier present (IFF_RUNNING)
};

class LinkMonitor {
 public:
  using Callback = std::function<void(const LinkEvent&)>;

  // Null, with *error saying why, when the netlink socket cannot be opened.
  static std::unique_ptr<LinkMonitor> Start(Callback callback, std::string* error);
  ~LinkMonitor();
  LinkMonitor(const LinkMonitor&) = delete;
  LinkMonitor& operator=(const LinkMonitor&) = delete;

 private:
  LinkMonitor(Fd netlink, Fd stop, Callback callback)
      : netlink_(std::move(netlink)), stop_(std::move(stop)), callback_(std::move(callback)) {}
  void Run();
  void Parse(const char* buffer, size_t length);

  Fd netlink_;
  Fd stop_;
  Callback callback_;
  std::thread thread_;
};

}  // namespace mcr
