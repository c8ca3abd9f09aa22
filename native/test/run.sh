#!/usr/bin/env bash
# Builds the native core and its unit tests with ASan + UBSan and runs every test in
# its own process, so a sanitizer abort fails that one test and the rest still run.
# Works from any directory; builds into build/native-test/ under the repo root.
# Usage: native/test/run.sh [substring]   (only tests whose name contains substring)
# The last line is always "N passed, N failed"; the exit status is non-zero if any
# test failed, none ran, or the build failed. It must not touch files outside build/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/build/native-test"
bin="$out/mcr-native-test"
filter="${1:-}"
cxx="${CXX:-g++}"

flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer
       -fsanitize=address,undefined -fno-sanitize-recover=all
       -Wall -Wextra -Werror -Wconversion -Wshadow -D_GLIBCXX_ASSERTIONS)
sources=("$root"/native/core/*.cc "$here"/*.cc)

mkdir -p "$out/asan"
jobs="$(nproc 2>/dev/null || echo 2)"
export cxx out
# Each compile is its own process, run $jobs at a time: the suite's time is mostly this
# build, and one g++ for every source used one core of the machine's two.
compile_all() { # $1: a function name; stdin: one path per line; exit 1 if any failed
  xargs -P "$jobs" -I{} bash -c "$1"' "$@"' _ {}
}
# The core is also linked into the addon and a libFuzzer harness: prove each header
# stands alone and each source builds optimised, without exceptions or RTTI.
core_flags=(-std=c++17 -O2 -fno-exceptions -fno-rtti -Wpedantic
            -Wall -Wextra -Werror -Wconversion -Wshadow)
export CORE_FLAGS="${core_flags[*]}" ASAN_FLAGS="${flags[*]}"
header_alone() { printf '#include "%s"\n' "$1" | $cxx $CORE_FLAGS -fsyntax-only -x c++ -; }
core_object() { $cxx $CORE_FLAGS -c "$1" -o "$out/$(basename "$1" .cc).o"; }
asan_object() { $cxx $ASAN_FLAGS -c "$1" -o "$out/asan/$(basename "$(dirname "$1")")-$(basename "$1" .cc).o"; }
export -f header_alone core_object asan_object
echo "checking the core builds standalone"
core_ok=1
printf '%s\n' "$root"/native/core/*.h | compile_all header_alone || core_ok=0
printf '%s\n' "$root"/native/core/*.cc | compile_all core_object || core_ok=0
echo "building $bin with $cxx ($jobs at a time)"
rm -f "$out"/asan/*.o
if [[ "$core_ok" -ne 1 ]] ||
   ! printf '%s\n' "${sources[@]}" | compile_all asan_object ||
   ! "$cxx" "${flags[@]}" -o "$bin" "$out"/asan/*.o; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# ASan already stops at the first error; leaks count as failures too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

passed=0
failed=0
failed_names=()
while IFS= read -r name; do
  [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
  # stdin is the test list: keep the test from reading it.
  if "$bin" "$name" >"$out/last.log" 2>&1 </dev/null; then
    passed=$((passed + 1))
    echo "ok - $name"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "FAIL - $name"
    # The binary's own result and summary lines would repeat what is printed here.
    sed -e '/^[0-9]* passed, [0-9]* failed$/d' -e '/^\(ok\|FAIL\) - /d' -e 's/^ */    /' \
      "$out/last.log"
  fi
done < <("$bin" --list)

for name in "${failed_names[@]+"${failed_names[@]}"}"; do echo "failed: $name"; done
echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 && "$passed" -gt 0 ]]
