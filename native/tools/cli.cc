// Implementation of cli.h: parsing by hand (no getopt) so "--name=value" and errors
// that name the option behave the same in all three tools.
#include "cli.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace mcr::tools {

void UsageError(const char* prog, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n(see %s --help)\n", prog, message.c_str(), prog);
  std::exit(kExitUsage);
}

void Fatal(const char* prog, int code, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", prog, message.c_str());
  std::exit(code);
}

void FatalErrno(const char* prog, const std::string& what, int err) {
  if (err == EPERM || err == EACCES) {
    Fatal(prog, kExitNoPerm, what + ": " + std::strerror(err) + " (needs root or CAP_NET_RAW)");
  }
  Fatal(prog, kExitFailure, what + ": " + std::strerror(err));
}

ParsedArgs ParseArgs(int argc, char** argv, const char* prog, const char* usage,
                     const std::vector<OptionSpec>& specs) {
  ParsedArgs parsed;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage, stdout);
      std::exit(kExitOk);
    }
    if (arg == "-6") {
      bool known = false;
      for (const OptionSpec& candidate : specs) known = known || std::strcmp(candidate.name, "ipv6") == 0;
      if (!known) UsageError(prog, "unknown option -6");
      parsed.options.emplace_back("ipv6", "");
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (arg.size() > 1 && arg[0] == '-') UsageError(prog, "unknown option " + arg);
      parsed.positionals.push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& candidate : specs) {
      if (name == candidate.name) spec = &candidate;
    }
    if (spec == nullptr) UsageError(prog, "unknown option --" + name);
    std::string value;
    if (spec->takes_value) {
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        UsageError(prog, "--" + name + " needs a value");
      }
    } else if (eq != std::string::npos) {
      UsageError(prog, "--" + name + " takes no value");
    }
    parsed.options.emplace_back(name, value);
  }
  return parsed;
}

uint64_t ToUint(const char* prog, const std::string& name, const std::string& value,
                uint64_t min, uint64_t max) {
  const std::string range = " (" + std::to_string(min) + " to " + std::to_string(max) + ")";
  if (value.empty() || value.size() > 20 || value.find_first_not_of("0123456789") != std::string::npos) {
    UsageError(prog, "--" + name + " must be a whole number" + range + ", got \"" + value + "\"");
  }
  errno = 0;
  const unsigned long long parsed = std::strtoull(value.c_str(), nullptr, 10);
  if (errno == ERANGE || parsed < min || parsed > max) {
    UsageError(prog, "--" + name + " must be from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got " + value);
  }
  return parsed;
}

double ToSeconds(const char* prog, const std::string& name, const std::string& value, double max) {
  char* end = nullptr;
  errno = 0;
  const double parsed = value.empty() ? NAN : std::strtod(value.c_str(), &end);
  if (errno != 0 || end == nullptr || *end != '\0' || !std::isfinite(parsed) || parsed <= 0 ||
      parsed > max) {
    UsageError(prog, "--" + name + " must be a number of seconds above 0 and at most " +
                         std::to_string(static_cast<long>(max)) + ", got \"" + value + "\"");
  }
  return parsed;
}

uint32_t ToIpv4(const char* prog, const std::string& name, const std::string& value) {
  // inet_pton accepts exactly dotted-quad decimal for AF_INET (no octal, no short forms).
  in_addr addr{};
  if (inet_pton(AF_INET, value.c_str(), &addr) != 1) {
    UsageError(prog, "--" + name + " must be an IPv4 address like 239.1.1.1, got \"" + value + "\"");
  }
  return ntohl(addr.s_addr);
}

IpAddress ToAddress(const char* prog, const std::string& name, const std::string& value, bool ipv6_only) {
  IpAddress address;
  if (!IpAddress::Parse(value.c_str(), &address)) {
    UsageError(prog, "--" + name + " must be an IPv4 address like 239.1.1.1 or an IPv6 one like ff0e::1:1, got \"" +
                         value + "\"");
  }
  if (ipv6_only && address.is_ipv4()) UsageError(prog, "--" + name + " " + value + " is not IPv6, and -6 was given");
  return address;
}

bool AddressPlus(const IpAddress& address, uint32_t k, IpAddress* out) {
  uint8_t bytes[IpAddress::kSize];
  std::memcpy(bytes, address.bytes(), sizeof bytes);
  const uint32_t low = (uint32_t{bytes[12]} << 24) | (uint32_t{bytes[13]} << 16) | (uint32_t{bytes[14]} << 8) | bytes[15];
  if (low > UINT32_MAX - k) return false;
  const uint32_t sum = low + k;
  for (size_t i = 0; i < 4; ++i) bytes[12 + i] = static_cast<uint8_t>(sum >> (24 - 8 * i));
  *out = IpAddress::FromIpv6Bytes(bytes);  // the mapped prefix, if any, is kept as it was
  return true;
}

unsigned ToIfindex(const char* prog, const std::string& value) {
  if (value.empty() || value.size() >= IF_NAMESIZE) {
    UsageError(prog, "--interface must be an interface name of 1 to 15 characters");
  }
  const unsigned index = if_nametoindex(value.c_str());
  if (index == 0) UsageError(prog, "no interface named \"" + value + "\" here");
  return index;
}

std::string Ipv4String(uint32_t host_order) {
  char text[INET_ADDRSTRLEN];
  in_addr addr{};
  addr.s_addr = htonl(host_order);
  inet_ntop(AF_INET, &addr, text, sizeof text);
  return text;
}

uint64_t NowNanos() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

double NowSeconds() { return static_cast<double>(NowNanos()) / 1e9; }

}  // namespace mcr::tools
