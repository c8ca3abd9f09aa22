#!/bin/sh
# Builds the baseline relay next to its source. Plain g++ -O2: it stands for what anyone
# would write in an afternoon, not a tuned program.
set -eu
here=$(dirname "$0")
exec g++ -O2 -std=c++17 -Wall -Wextra -o "$here/mmsg-relay" "$here/mmsg-relay.cc"
