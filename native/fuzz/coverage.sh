#!/usr/bin/env bash
# Source coverage of the native core reached by the fuzz corpora: rebuilds each target
# with clang's coverage instrumentation (no sanitizers) into build/fuzz/coverage/, runs
# it once over the checked-in seeds plus what fuzz runs found (build/fuzz/corpus/),
# and prints llvm-cov's report for native/core/. Needs llvm-profdata and llvm-cov
# (Debian: llvm-14). Usage: native/fuzz/coverage.sh [--lines]  (--lines: annotated
# source of the lines never reached)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/build/fuzz/coverage"
targets=(frame_fuzzer flow_table_fuzzer frame_header_fuzzer)

cxx="${FUZZ_CXX:-$(command -v clang++ || compgen -c clang++- | grep -E '^clang\+\+-[0-9]+$' | sort -t- -k2 -n | tail -1)}"
version="${cxx##*clang++}"
profdata="llvm-profdata$version"
cov="llvm-cov$version"
for tool in "$cxx" "$profdata" "$cov"; do
  command -v "$tool" >/dev/null || { echo "coverage: $tool not found (Debian: llvm-14, clang-14)" >&2; exit 3; }
done

mkdir -p "$out"
rm -f "$out"/*.profraw
objects=()
for target in "${targets[@]}"; do
  "$cxx" -std=c++17 -O1 -g -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
    -o "$out/$target" "$here/$target.cc" "$root"/native/core/*.cc
  mkdir -p "$root/build/fuzz/corpus/$target"
  LLVM_PROFILE_FILE="$out/$target.profraw" "$out/$target" -runs=0 \
    "$root/build/fuzz/corpus/$target" "$here/corpus/$target" >"$out/$target.log" 2>&1
  objects+=(-object "$out/$target")
done
"$profdata" merge -sparse "$out"/*.profraw -o "$out/core.profdata"
sources=("$root"/native/core/*.cc)
"$cov" report -instr-profile="$out/core.profdata" "${objects[@]:1}" "${sources[@]}"
if [[ "${1:-}" == "--lines" ]]; then
  "$cov" show -instr-profile="$out/core.profdata" "${objects[@]:1}" -show-line-counts-or-regions \
    -format=text "${sources[@]}" | grep -E '^ +[0-9]+\| +0\|' || echo "every line reached"
fi
