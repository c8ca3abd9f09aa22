// A one-line JSON object writer for the tools' reports. Only what the reports need:
// unsigned and floating numbers, plain ASCII strings (no escaping needed for names and
// dotted quads, so any other character is dropped), nested raw JSON, and booleans.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace mcr::tools {

class JsonLine {
 public:
  JsonLine& Num(const char* key, uint64_t value) { return Raw(key, std::to_string(value)); }
  JsonLine& Real(const char* key, double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6f", value);
    return Raw(key, text);
  }
  JsonLine& Str(const char* key, const std::string& value) {
    std::string quoted = "\"";
    for (char c : value) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') quoted += c;
    }
    return Raw(key, quoted + "\"");
  }
  JsonLine& Bool(const char* key, bool value) { return Raw(key, value ? "true" : "false"); }
  // value must already be valid JSON (an object or array built with this class).
  JsonLine& Raw(const char* key, const std::string& value) {
    text_ += text_.empty() ? "{" : ",";
    text_ += "\"";
    text_ += key;
    text_ += "\":";
    text_ += value;
    return *this;
  }
  std::string Done() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

}  // namespace mcr::tools
