// Version of the native data plane ABI. The TypeScript loader compares it with the
// version it was written for, so a stale build/ is reported instead of misbehaving.
#pragma once

namespace mcr {
inline constexpr const char* kAddonVersion = "4";
}  // namespace mcr
