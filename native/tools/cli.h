// Command-line plumbing shared by mcr-gen, mcr-sink and mcr-inject: option parsing,
// range-checked number and address conversion, and fatal errors with sysexits codes.
// Every bad argument ends the process with exit 64 and a message naming the option,
// so a test or a person sees what was wrong instead of a tool running half-configured.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../core/address.h"

namespace mcr::tools {

using mcr::IpAddress;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 64;    // EX_USAGE: the command line was wrong
inline constexpr int kExitDataErr = 65;  // EX_DATAERR: input data (frames) was wrong
inline constexpr int kExitNoPerm = 77;   // EX_NOPERM: needs root or a capability

struct OptionSpec {
  const char* name;  // without the leading "--"
  bool takes_value;
};

struct ParsedArgs {
  std::vector<std::pair<std::string, std::string>> options;  // in command-line order
  std::vector<std::string> positionals;
};

// Accepts "--name value" and "--name=value", and "-6" for "--ipv6" where the tool has
// that option. Prints `usage` and exits 0 on --help or -h; exits 64 on an unknown
// option or a missing value.
ParsedArgs ParseArgs(int argc, char** argv, const char* prog, const char* usage,
                     const std::vector<OptionSpec>& specs);

// Prints "PROG: message" and "(see PROG --help)" to stderr, exits 64.
[[noreturn]] void UsageError(const char* prog, const std::string& message);
// Prints "PROG: message" to stderr and exits with code.
[[noreturn]] void Fatal(const char* prog, int code, const std::string& message);
// Fatal for a failed system call: "PROG: what: strerror", and for EPERM/EACCES the
// hint "needs root or CAP_NET_RAW" with exit 77.
[[noreturn]] void FatalErrno(const char* prog, const std::string& what, int err);

// Decimal integer in [min, max], whole string, no sign: else UsageError naming --name.
uint64_t ToUint(const char* prog, const std::string& name, const std::string& value,
                uint64_t min, uint64_t max);
// Decimal seconds (e.g. "2", "0.5") in (0, max].
double ToSeconds(const char* prog, const std::string& name, const std::string& value,
                 double max);
// Dotted quad, exactly four decimal parts 0..255; host byte order.
uint32_t ToIpv4(const char* prog, const std::string& name, const std::string& value);
// An IPv4 dotted quad or an IPv6 address in any RFC 4291 text form (no %zone: the
// interface is --interface); with ipv6_only (-6), an IPv4 one is a usage error.
IpAddress ToAddress(const char* prog, const std::string& name, const std::string& value, bool ipv6_only);
// The address k further on, counting in its last 32 bits (an IPv4 address's whole
// value): the k-th of consecutive groups. False when those bits would wrap.
bool AddressPlus(const IpAddress& address, uint32_t k, IpAddress* out);
// Interface index of an existing interface; UsageError if there is none of that name.
unsigned ToIfindex(const char* prog, const std::string& value);

std::string Ipv4String(uint32_t host_order);
inline bool IsMulticast(uint32_t host_order) { return (host_order >> 28) == 0xE; }

// Seconds on CLOCK_MONOTONIC, and the same in nanoseconds.
double NowSeconds();
uint64_t NowNanos();

}  // namespace mcr::tools
