#!/usr/bin/env bash
# The README's two commands: `bash scripts/quickstart.sh demo` and
# `bash scripts/quickstart.sh test`. On a fresh Debian 12 machine, as root, each one
# installs what it needs (Debian build packages, Node.js if absent, npm packages),
# builds mcr, then runs the demo or the whole test suite. Safe to run again: steps
# that are already done are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

usage() {
  echo "usage: bash scripts/quickstart.sh demo|test" >&2
  exit 64
}

# Debian packages: the C++ toolchain and liburing for the native data plane,
# iproute2 for the network-namespace demo and tests.
DEBIAN_PACKAGES=(g++ make python3 pkg-config liburing-dev iproute2)
# The tests also build and check the DEB and RPM packages, verify the unit, and boot
# systemd in a container made of this machine's root to install the DEB with apt
# (offline: the package's dependencies, procps among them, must already be here).
TEST_PACKAGES=(dpkg-dev rpm rpmlint lintian binutils man-db systemd util-linux procps clang-14 libclang-rt-14-dev llvm-14)
# The IPv6 tests: socat as a receiver nobody here wrote, ethtool to turn checksum
# offload off on a veth, nft to silence neighbour discovery.
TEST_PACKAGES+=(socat ethtool nftables)
# The discovery tests: real mDNS and SSDP clients (python3-zeroconf, gssdp-discover).
TEST_PACKAGES+=(python3-zeroconf gupnp-tools)
# The stream-health tests: an MPEG-TS stream made and read by ffmpeg.
TEST_PACKAGES+=(ffmpeg)

install_debian_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "needs these Debian packages: ${missing[*]}; run as root, or install them first"
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local need=$1
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    install_debian_packages nodejs npm
  fi
  [ "$(node_major)" -ge "$need" ] || die "needs Node.js >= $need (found $(node --version)); the test tools (tap 21) need 20"
}

ensure_npm_packages() {
  # node-gyp cannot download Node's headers here; build against the installed ones.
  if [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi
  # node-gyp compiles one source at a time unless told otherwise.
  export npm_config_jobs="${npm_config_jobs:-max}"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
    || [ ! -f build/Release/mcr_native.node ] || [ -n "$(find native binding.gyp -newer build/Release/mcr_native.node -print -quit)" ]; then
    say "installing npm packages and building the native addon (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  say "compiling TypeScript"
  npx --no-install tsc -p tsconfig.build.json
}

case "${1:-}" in
  demo)
    install_debian_packages "${DEBIAN_PACKAGES[@]}"
    ensure_node 18
    ensure_npm_packages
    exec bash scripts/demo.sh
    ;;
  test)
    install_debian_packages "${DEBIAN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_node 20
    ensure_npm_packages
    exec node scripts/run-tests.mjs
    ;;
  *) usage ;;
esac
