// The harness's main and registry (see harness.h), plus a counting operator new.
// Usage: mcr-native-test            run every test, print "N passed, N failed"
//        mcr-native-test --list     print test names, one per line
//        mcr-native-test NAME...    run only the tests with exactly these names
// Exit status is 0 only if every selected test passed. It must stay free of anything
// the code under test could depend on.
#include "harness.h"

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

namespace mcr::test {
namespace {

struct TestCase {
  const char* name;
  TestFn fn;
};

// A function-local static: registrars in other translation units run before main in
// an unspecified order, so the registry must exist before the first of them.
std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}

constexpr size_t kMaxPrintedFailures = 20;
size_t g_failures_in_test = 0;
size_t g_allocations = 0;

bool RunOne(const TestCase& test) {
  g_failures_in_test = 0;
  test.fn();
  if (g_failures_in_test > kMaxPrintedFailures) {
    std::fprintf(stderr, "  ... and %zu more failed checks\n",
                 g_failures_in_test - kMaxPrintedFailures);
  }
  std::printf("%s - %s\n", g_failures_in_test == 0 ? "ok" : "FAIL", test.name);
  std::fflush(stdout);
  return g_failures_in_test == 0;
}

}  // namespace

Registrar::Registrar(const char* name, TestFn fn) { Registry().push_back({name, fn}); }

void Fail(const char* file, int line, const std::string& message) {
  ++g_failures_in_test;
  if (g_failures_in_test <= kMaxPrintedFailures) {
    std::fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, message.c_str());
  }
}

size_t AllocationCount() { return g_allocations; }

}  // namespace mcr::test

// Counting replacements for the global allocation functions. Every form that can pair
// with another is replaced, so ASan never sees a new from one family freed by the
// other; the memory itself still comes from ASan's malloc and stays checked.
void* operator new(size_t size) {
  ++mcr::test::g_allocations;
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](size_t size) { return operator new(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  ++mcr::test::g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

int main(int argc, char** argv) {
  using mcr::test::Registry;
  std::vector<std::string> wanted(argv + 1, argv + argc);
  if (wanted.size() == 1 && wanted[0] == "--list") {
    for (const auto& test : Registry()) std::printf("%s\n", test.name);
    return 0;
  }

  size_t passed = 0;
  size_t failed = 0;
  size_t matched = 0;
  for (const auto& test : Registry()) {
    bool selected = wanted.empty();
    for (const auto& name : wanted) selected = selected || name == test.name;
    if (!selected) continue;
    ++matched;
    (mcr::test::RunOne(test) ? passed : failed) += 1;
  }
  if (!wanted.empty() && matched != wanted.size()) {
    std::fprintf(stderr, "unknown test name; use --list to see them\n");
    return 2;
  }
  std::printf("%zu passed, %zu failed\n", passed, failed);
  return failed == 0 && matched > 0 ? 0 : 1;
}
