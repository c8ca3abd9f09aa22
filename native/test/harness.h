// A tiny test harness for the native core: tests named by a sentence, CHECK macros,
// and a main (harness.cc) that lists or runs them. It owns nothing else: no fixtures,
// no mocks, no dependency beyond the standard library, so the tests build wherever
// g++ does. It must not be linked into the addon or the fuzzer.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <type_traits>

namespace mcr::test {

using TestFn = void (*)();

// Adds a test to the process-wide registry during static initialisation.
struct Registrar {
  Registrar(const char* name, TestFn fn);
};

// Records a failed check in the running test. The test keeps going, so one run shows
// every broken case of a table rather than only the first.
void Fail(const char* file, int line, const std::string& message);

// Number of operator new calls so far in this process. Tests compare it around a call
// to prove that a per-packet path does not allocate.
size_t AllocationCount();

// Values in failure messages. Byte-sized integers print as numbers, not characters;
// enums print through an operator<< found by ADL (tests define one per enum they use).
template <typename T>
std::string Show(const T& value) {
  std::ostringstream os;
  if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
    os << static_cast<int>(value);
  } else {
    os << value;
  }
  return os.str();
}

template <typename A, typename B>
void CheckEq(const A& actual, const B& expected, const char* actual_text,
             const char* expected_text, const char* file, int line) {
  if (actual == expected) return;
  Fail(file, line,
       std::string(actual_text) + " == " + expected_text + " (got " + Show(actual) +
           ", want " + Show(expected) + ")");
}

}  // namespace mcr::test

#define MCR_CONCAT_INNER(a, b) a##b
#define MCR_CONCAT(a, b) MCR_CONCAT_INNER(a, b)

// TEST("a sentence stating the behaviour") { ...body... }
#define TEST(name) MCR_TEST_AT(name, MCR_CONCAT(mcr_test_fn_, __LINE__))
#define MCR_TEST_AT(name, fn)                                                 \
  static void fn();                                                           \
  static const ::mcr::test::Registrar MCR_CONCAT(fn, _registrar)(name, &fn); \
  static void fn()

#define CHECK(cond)                                           \
  do {                                                        \
    if (!(cond)) ::mcr::test::Fail(__FILE__, __LINE__, #cond); \
  } while (0)

#define CHECK_EQ(actual, expected) \
  ::mcr::test::CheckEq((actual), (expected), #actual, #expected, __FILE__, __LINE__)

// CHECK with a message built from a stream expression, for checks inside loops:
// CHECK_MSG(ok, "case " << name << " at len " << len).
#define CHECK_MSG(cond, stream_expr)                                          \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::ostringstream mcr_check_os;                                        \
      mcr_check_os << #cond << ": " << stream_expr;                           \
      ::mcr::test::Fail(__FILE__, __LINE__, mcr_check_os.str());              \
    }                                                                         \
  } while (0)
