// Version of the native data plane ABI. The TypeScript loader compares it with the
// version it was written for, so a stale build/ is reported instead of misbehaving.
// Written in one place, src/native/abi-version.js, which both the loader imports and the
// build compiles in (native/gen-headers.mjs makes mcr_generated/abi_version.h).
#pragma once

#include "mcr_generated/abi_version.h"

namespace mcr {
inline constexpr const char* kAddonVersion = MCR_ADDON_ABI_VERSION;
}  // namespace mcr
