// Implementation of hex_frames.h.
#include "hex_frames.h"

namespace mcr::tools {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

HexFrames ParseHexFrames(const std::string& text) {
  HexFrames result;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    std::vector<uint8_t> frame;
    int high = -1;  // the first nibble of a byte, while waiting for its second
    for (size_t i = pos; i < end; ++i) {
      const char c = text[i];
      if (c == '#') break;
      if (IsSpace(c)) continue;
      const int value = HexValue(c);
      if (value < 0) {
        result.error = "line " + std::to_string(line_no) + ": '" + std::string(1, c) +
                       "' is not a hex digit";
        return result;
      }
      if (high < 0) {
        high = value;
        continue;
      }
      if (frame.size() >= kMaxFrame) {
        result.error = "line " + std::to_string(line_no) + ": frame longer than " +
                       std::to_string(kMaxFrame) + " bytes";
        return result;
      }
      frame.push_back(static_cast<uint8_t>(high << 4 | value));
      high = -1;
    }
    if (high >= 0) {
      result.error = "line " + std::to_string(line_no) + ": odd number of hex digits";
      return result;
    }
    if (!frame.empty()) result.frames.push_back(std::move(frame));
    pos = end + 1;
  }
  return result;
}

}  // namespace mcr::tools
