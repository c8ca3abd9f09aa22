#!/usr/bin/env bash
# Regenerates the checked-in seed corpus (native/fuzz/corpus/) from make_seeds.cc.
# Run it after changing the seed list or an input layout, and commit the result; the
# fuzz runs themselves never write there. Builds with g++ into build/fuzz/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/build/fuzz"
mkdir -p "$out"
"${CXX:-g++}" -std=c++17 -O1 -Wall -Wextra -Werror -Wconversion -Wshadow \
  -o "$out/make_seeds" "$here/make_seeds.cc" "$here/frame_header_seeds.cc" \
  "$here/frame_seeds_v6.cc" "$root/native/test/frame_builder.cc" "$root/native/test/frame_builder_v6.cc" \
  "$root/native/core/address.cc"
for target in frame_fuzzer flow_table_fuzzer frame_header_fuzzer; do
  rm -rf "$here/corpus/$target"
  mkdir -p "$here/corpus/$target"
done
"$out/make_seeds" "$here/corpus"
