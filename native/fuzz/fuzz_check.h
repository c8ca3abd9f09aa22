// The fuzz targets' one assertion: a broken invariant prints what broke and aborts, and
// libFuzzer saves the input that did it as a crash artifact. Unlike assert() it is
// never compiled out. Fuzz-only.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                  \
  do {                                                                               \
    if (!(condition)) {                                                              \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, \
                   what, #condition);                                                \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
