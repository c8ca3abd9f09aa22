// Errors from system calls, worded for an operator: what failed, why, and where a fix
// is known, how to fix it.
#pragma once

#include <string>

namespace mcr {

// "what: strerror(err)", plus advice for the errors that have an obvious remedy.
std::string SysError(const std::string& what, int err);

// A failed setup step. Control-plane code returns these instead of throwing, so the
// boundary can turn them into JS errors and workers never unwind.
struct Status {
  bool ok = true;
  std::string message;
  static Status Ok() { return {}; }
  static Status Error(std::string text) { return {false, std::move(text)}; }
};

}  // namespace mcr
