// mcr-inject: sends raw Ethernet frames, given as hex (hex_frames.h), out of one
// interface through an AF_PACKET socket, byte for byte: no checksum is fixed and no
// header is added, so tests can hand the relay malformed frames. Prints {"sent":N,...}.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"
#include "hex_frames.h"
#include "json_line.h"

namespace {

using namespace mcr::tools;

constexpr char kProg[] = "mcr-inject";
constexpr char kUsage[] =
    "usage: mcr-inject --interface IF [options] [FILE]\n"
    "Sends Ethernet frames written as hex, one per line (whitespace ignored, '#' starts a\n"
    "comment), from FILE or standard input ('-'), out of IF exactly as given.\n"
    "Prints one JSON line: {\"sent\":N,\"errors\":E}.\n"
    "\n"
    "  --interface IF    the interface to send on (required)\n"
    "  --repeat N        send the whole list N times (default 1)\n"
    "  --gap-us US       pause between frames, microseconds (default 0)\n"
    "\n"
    "Needs root or CAP_NET_RAW. Exit 0 when every frame was sent, 1 if any failed,\n"
    "64 on a bad command line, 65 on bad input, 77 without the privilege.\n";

// Bounds what we read before parsing: a million maximal frames is not a test input.
constexpr size_t kMaxInput = 64u << 20;

std::string ReadAll(const std::string& path) {
  FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) Fatal(kProg, 66, path + ": " + std::strerror(errno));
  std::string text;
  char chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) {
    text.append(chunk, n);
    if (text.size() > kMaxInput) Fatal(kProg, kExitDataErr, "input larger than 64 MiB");
  }
  if (file != stdin) std::fclose(file);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const ParsedArgs args = ParseArgs(argc, argv, kProg, kUsage,
                                    {{"interface", true}, {"repeat", true}, {"gap-us", true}});
  std::string interface;
  unsigned ifindex = 0;
  uint64_t repeat = 1;
  uint64_t gap_us = 0;
  for (const auto& [name, value] : args.options) {
    if (name == "interface") {
      interface = value;
      ifindex = ToIfindex(kProg, value);
    } else if (name == "repeat") {
      repeat = ToUint(kProg, name, value, 1, 1000000);
    } else if (name == "gap-us") {
      gap_us = ToUint(kProg, name, value, 0, 10000000);
    }
  }
  if (interface.empty()) UsageError(kProg, "--interface is required");
  if (args.positionals.size() > 1) UsageError(kProg, "give at most one FILE");
  const std::string path = args.positionals.empty() ? "-" : args.positionals[0];

  const HexFrames input = ParseHexFrames(ReadAll(path));
  if (!input.error.empty()) Fatal(kProg, kExitDataErr, path + ": " + input.error);

  // Protocol 0: this socket only sends; it must not queue every frame on the link.
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) FatalErrno(kProg, "AF_PACKET socket", errno);
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_ifindex = static_cast<int>(ifindex);
  addr.sll_halen = ETH_ALEN;

  uint64_t sent = 0;
  uint64_t errors = 0;
  for (uint64_t round = 0; round < repeat; ++round) {
    for (const auto& frame : input.frames) {
      if (frame.size() >= ETH_ALEN) std::memcpy(addr.sll_addr, frame.data(), ETH_ALEN);
      const ssize_t n = sendto(fd, frame.data(), frame.size(), 0,
                               reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
      if (n == static_cast<ssize_t>(frame.size())) {
        ++sent;
      } else {
        if (errors++ == 0) {
          std::fprintf(stderr, "%s: a frame of %zu bytes: %s\n", kProg, frame.size(),
                       n < 0 ? std::strerror(errno) : "sent short");
        }
      }
      if (gap_us > 0) usleep(static_cast<useconds_t>(gap_us));
    }
  }
  close(fd);
  std::printf("%s\n", JsonLine().Num("sent", sent).Num("errors", errors).Done().c_str());
  return errors == 0 ? kExitOk : kExitFailure;
}
