// The typed face of the native addon: what JavaScript may call. Only
// src/native/load-binding.ts produces one; the data plane wrapper takes it as a
// parameter so daemon logic can be tested without the addon.

export interface AddonVersion {
  /** The native ABI version, compared against EXPECTED_ADDON_VERSION. */
  readonly addon: string;
  readonly napi: number;
  /** The C++ standard the addon was compiled with (__cplusplus). */
  readonly cplusplus: number;
}

export interface NativeBinding {
  version(): AddonVersion;
}
