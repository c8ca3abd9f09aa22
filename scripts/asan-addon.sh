#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UBSan (binding.gyp's mcr_sanitize=1) into
# build/asan/, and prints the environment a Node process needs to run it, one KEY=value
# per line with no spaces, so that `env $(bash scripts/asan-addon.sh) node ...` works.
# It never writes build/Release/: everything else (tests, mcrd, packages) keeps using
# the ordinary addon. node-gyp always builds into ./build of the directory holding
# binding.gyp, so the sanitized build runs in build/asan/tree/, a tree of symlinks to
# the real binding.gyp, native/, node_modules/ and src/ (the counter list and the ABI
# version the build turns into headers) with a build/ of its own.
# Only the mcr_native target is built: the traffic tools are not under test here.
#
# Usage: scripts/asan-addon.sh          build (skipped when up to date), print the env
#        scripts/asan-addon.sh --env    only print it (fails if not built)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build/asan"
tree="$out/tree"
addon="$out/mcr_native.node"

# Node itself is not instrumented, so the ASan runtime must be loaded before anything
# else (it replaces malloc and friends); UBSan's runtime is preloaded beside it. They
# must be the runtimes of the compiler that built the addon: g++, node-gyp's default.
runtime() {
  local path
  path="$("${CXX:-g++}" -print-file-name="$1")"
  [[ "$path" == /* && -e "$path" ]] || { echo "asan-addon: ${CXX:-g++} has no $1" >&2; exit 1; }
  readlink -f "$path"
}

# Node is neither instrumented nor tidy at exit: process.exit() skips V8's teardown,
# so LeakSanitizer finds about a thousand blocks of Node's own (V8 slot sets, compiled
# code...) unreachable. They are suppressed by module: a leaked block whose allocation
# stack has any frame in the node executable is not reported. What stays checked is
# every block allocated on a thread the addon starts (the workers and the link monitor,
# whose stacks hold no Node frame); blocks the addon allocates while called from
# JavaScript are hidden along with Node's. The core's own leak checks (native/test,
# the fuzzer) have no such hole.
# halt_on_error and exitcode=66: the first report ends the process with a status the
# relay runner never uses itself.
write_suppressions() {
  local node
  node="$(readlink -f "$(command -v node)")"
  printf 'leak:%s\n' "$node" >"$out/lsan-node.supp"
}

print_env() {
  [[ -f "$addon" ]] || { echo "asan-addon: $addon is not built" >&2; exit 1; }
  local asan ubsan
  asan="$(runtime libasan.so)"
  ubsan="$(runtime libubsan.so)"
  write_suppressions
  echo "MCR_NATIVE_ADDON=$addon"
  echo "LD_PRELOAD=$asan:$ubsan"
  echo "ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=66"
  echo "LSAN_OPTIONS=suppressions=$out/lsan-node.supp:print_suppressions=0"
  echo "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=66"
}

if [[ "${1:-}" == "--env" ]]; then
  print_env
  exit 0
fi

# binding.gyp generates headers from these (native/gen-headers.mjs).
generated_from=("$root/src/counter-list.js" "$root/src/native/abi-version.js")

stale() {
  [[ ! -f "$addon" ]] && return 0
  [[ -n "$(find "$root/native" "$root/binding.gyp" "${generated_from[@]}" -newer "$addon" -print -quit)" ]]
}

if stale; then
  mkdir -p "$tree"
  for entry in binding.gyp native node_modules src; do ln -sfn "$root/$entry" "$tree/$entry"; done
  # node-gyp cannot download Node's headers here; build against the installed ones.
  nodedir=()
  if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node_api.h ]]; then
    nodedir=(--nodedir=/usr)
  fi
  echo "asan-addon: building $addon (ASan + UBSan)" >&2
  (
    cd "$tree"
    "$root/node_modules/.bin/node-gyp" configure "${nodedir[@]}" --loglevel=warn --mcr_sanitize=1
    make -C build -j"$(nproc)" BUILDTYPE=Release mcr_native
  ) >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; echo "asan-addon: build failed" >&2; exit 1; }
  # Prove the switch took effect: an unsanitized addon would make every check vacuous.
  if ! nm -D --undefined-only "$tree/build/Release/mcr_native.node" | grep -w __asan_init >/dev/null; then
    echo "asan-addon: the built addon is not instrumented (mcr_sanitize ignored?)" >&2
    exit 1
  fi
  cp "$tree/build/Release/mcr_native.node" "$addon.tmp"
  mv "$addon.tmp" "$addon"
fi
print_env
