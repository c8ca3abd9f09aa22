#!/usr/bin/env bash
# Builds the libFuzzer targets of the native core with clang (ASan + UBSan, every
# finding fatal) into build/fuzz/, and runs each one for SECONDS, side by side.
# Each target starts from its checked-in seeds (native/fuzz/corpus/TARGET/, never
# written) plus what earlier runs here found (build/fuzz/corpus/TARGET/, where new
# inputs go). A crash, leak, timeout or sanitizer report leaves its input in
# build/fuzz/artifacts/; reproduce it with `build/fuzz/TARGET FILE`.
#
# Usage: native/fuzz/run.sh [--install] [SECONDS]     (default 60 per target)
#   --install   when no clang with libFuzzer is found, install it from Debian (root)
# Prints one line per target and ends with "fuzz: N executions, N crashes"; exits 0
# only if every target ran its time with no finding. Exit 3: no usable clang.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/build/fuzz"
targets=(frame_fuzzer flow_table_fuzzer frame_header_fuzzer media_fuzzer)
# The largest input worth trying: a full 1500-byte IP packet with two VLAN tags and
# 63 rule specs fits in the first; about two hundred table operations in the second;
# the 91-byte template and datagram plus a payload filling a 1500-byte MTU in the third.
declare -A max_len=([frame_fuzzer]=1800 [flow_table_fuzzer]=600 [frame_header_fuzzer]=1600 [media_fuzzer]=4096)
# Debian 12's clang and its libFuzzer/sanitizer runtimes; llvm-14 brings
# llvm-symbolizer, for readable stack traces. Keep in step with scripts/quickstart.sh.
debian_packages=(clang-14 libclang-rt-14-dev llvm-14)

install=0
if [[ "${1:-}" == "--install" ]]; then install=1; shift; fi
seconds="${1:-60}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [--install] [SECONDS]" >&2; exit 64; }

# clang++, or the newest versioned clang++-N on PATH.
find_clang() {
  if [[ -n "${FUZZ_CXX:-}" ]]; then echo "$FUZZ_CXX"; return; fi
  if command -v clang++ >/dev/null; then echo clang++; return; fi
  compgen -c clang++- | grep -E '^clang\+\+-[0-9]+$' | sort -t- -k2 -n | tail -1
}

has_libfuzzer() {
  local dir
  dir="$("$1" --print-runtime-dir 2>/dev/null)" || return 1
  compgen -G "$dir/libclang_rt.fuzzer*.a" >/dev/null
}

cxx="$(find_clang || true)"
if { [[ -z "$cxx" ]] || ! has_libfuzzer "$cxx"; } && [[ "$install" -eq 1 && "$(id -u)" -eq 0 ]] &&
  command -v apt-get >/dev/null; then
  echo "installing ${debian_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${debian_packages[@]}"; } \
    >"${TMPDIR:-/tmp}/mcr-fuzz-apt.log" 2>&1 || tail -5 "${TMPDIR:-/tmp}/mcr-fuzz-apt.log"
  cxx="$(find_clang || true)"
fi
if [[ -z "$cxx" ]] || ! has_libfuzzer "$cxx"; then
  echo "no clang++ with the libFuzzer runtime found (Debian: apt-get install ${debian_packages[*]})"
  exit 3
fi
version="${cxx#clang++}"
for symbolizer in "llvm-symbolizer$version" llvm-symbolizer; do
  if command -v "$symbolizer" >/dev/null; then
    export ASAN_SYMBOLIZER_PATH="$(command -v "$symbolizer")"
    break
  fi
done

flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -Wall -Wextra -Werror -Wconversion -Wshadow -D_GLIBCXX_ASSERTIONS)
mkdir -p "$out/artifacts"
echo "building ${targets[*]} with $cxx into $out"
pids=()
for target in "${targets[@]}"; do
  "$cxx" "${flags[@]}" -o "$out/$target" "$here/$target.cc" "$root"/native/core/*.cc \
    >"$out/$target.build.log" 2>&1 &
  pids+=($!)
done
built=1
for i in "${!targets[@]}"; do
  if ! wait "${pids[$i]}"; then
    built=0
    echo "build of ${targets[$i]} failed:"
    cat "$out/${targets[$i]}.build.log"
  fi
done
if [[ "$built" -ne 1 ]]; then
  echo "fuzz: 0 executions, 0 crashes (build failed)"
  exit 1
fi

# Leaks count as findings (libFuzzer's default with ASan); UBSan stops at the first.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
rm -f "$out"/artifacts/*
pids=()
for target in "${targets[@]}"; do
  mkdir -p "$out/corpus/$target"
  "$out/$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -max_len="${max_len[$target]}" \
    -artifact_prefix="$out/artifacts/$target-" \
    "$out/corpus/$target" "$here/corpus/$target" >"$out/$target.log" 2>&1 </dev/null &
  pids+=($!)
done

total_execs=0
total_crashes=0
for i in "${!targets[@]}"; do
  target="${targets[$i]}"
  log="$out/$target.log"
  status=0
  wait "${pids[$i]}" || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  # libFuzzer's last status line: "#N DONE cov: C ft: F corp: U/S ...".
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")"
  corp="$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$done_line")"
  findings="$(compgen -G "$out/artifacts/$target-*" | wc -l || true)"
  reports="$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "$log" || true)"
  crashes="$findings"
  if [[ "$status" -ne 0 || "$reports" -ne 0 ]] && [[ "$crashes" -eq 0 ]]; then crashes=1; fi
  echo "$target: ${execs:-0} executions, $crashes crashes, corpus ${corp:-?} inputs," \
    "coverage ${cov:-?} edges, ${ft:-?} features, ${seconds} s, exit $status"
  if [[ "$crashes" -ne 0 ]]; then
    echo "--- $target finding (log: $log) ---"
    grep -E -A40 'ERROR:|runtime error:|invariant broken|deadly signal' "$log" | head -40 || tail -40 "$log"
    for artifact in $(compgen -G "$out/artifacts/$target-*" || true); do
      echo "reproduce: $out/$target $artifact"
    done
  fi
  total_execs=$((total_execs + ${execs:-0}))
  total_crashes=$((total_crashes + crashes))
done
echo "fuzz: $total_execs executions, $total_crashes crashes"
[[ "$total_crashes" -eq 0 ]]
