#!/usr/bin/env bash
# The demo, run by `bash scripts/quickstart.sh demo` once everything is built.
# This stage of mcr has the rules-file tooling but not yet the forwarding daemon, so
# the demo walks through what an operator does with a rules file: check the shipped
# one, check real examples, see an invalid file rejected with positioned errors, and
# preview the plan a reload would apply.
set -uo pipefail
cd "$(dirname "$0")/.."

failures=0
# Runs `mcr ARGS...`, showing the command and its output, and checks its exit code.
expect() {
  local want=$1
  shift
  printf '\n\033[1m$ mcr %s\033[0m\n' "$*"
  node bin/mcr.js "$@"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    printf 'demo: expected exit %s, got %s\n' "$want" "$got" >&2
    failures=$((failures + 1))
  fi
}

expect 0 check mcr.toml.example
for example in examples/*.toml; do
  expect 0 check "$example"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat > "$scratch/broken.toml" <<'TOML'
[daemon]
wokers = 2

[[rule]]
name = "camera-1"
input = { interface = "eth0", group = "239.1.1.1", port = 0 }
outputs = [
  { interface = "eth1", group = "240.1.1.1", port = 5000, ttl = 300 },
  { interface = "eth0", group = "239.1.1.1", port = 0 },
]
TOML
expect 78 check "$scratch/broken.toml"
echo "(exit 78 = EX_CONFIG: the whole file is refused, and every error is listed)"

sed -e 's/eth3", group = "239.40.0.1", port = 5000, ttl = 8 }/eth4", group = "239.40.0.9", port = 5000, ttl = 8 }/' \
  -e 's/name = "channel-1"/name = "channel-one"/' examples/fan-out.toml > "$scratch/fan-out-edited.toml"
expect 0 check --diff examples/fan-out.toml "$scratch/fan-out-edited.toml"

if [ "$failures" -gt 0 ]; then
  printf '\nThe demo FAILED: %s command(s) did not behave as expected.\n' "$failures" >&2
  exit 1
fi
printf '\nThe demo passed: every shipped file is valid, bad input is refused with FILE:LINE:COL errors,\nand a reload plan keeps the outputs an edit did not touch.\n'
