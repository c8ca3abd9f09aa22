// @ts-check
// The native data plane's ABI version: the one place it is written. The addon's build
// compiles it in (native/gen-headers.mjs makes it MCR_ADDON_ABI_VERSION), and the loader
// (load-binding.ts) refuses an addon that reports another one: a stale build/ is
// reported instead of misused. Bump it when what the addon's functions take or return
// changes. Appending a counter to src/counter-list.js needs no bump: JavaScript reads
// the counter layout from the addon itself.
export const ADDON_ABI_VERSION = '5';
