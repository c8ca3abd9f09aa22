#!/usr/bin/env bash
# The demo, run by `bash scripts/quickstart.sh demo` once everything is built: checks
# the shipped rules file, then runs `mcr demo`, mcr's main job live in network
# namespaces (about 20 seconds; everything it builds is removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
printf '\033[1m$ mcr check mcr.toml.example\033[0m\n'
node bin/mcr.js check mcr.toml.example
printf '\n\033[1m$ mcr demo\033[0m\n'
exec node bin/mcr.js demo
