#include "digest_window.h"

#include <cstring>

namespace mcr {
namespace {

constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;

// A multiply-rotate mix per 8-byte word and a final avalanche (the splitmix64 finaliser):
// fast over a 1,400-byte payload, and every input bit moves about half the output bits.
uint64_t Mix(uint64_t state, uint64_t word) {
  state ^= word * kMultiplier;
  state = (state << 27) | (state >> 37);
  return state * 0xbf58476d1ce4e5b9ull + 0x94d049bb133111ebull;
}

uint64_t Finish(uint64_t state) {
  state ^= state >> 30;
  state *= 0xbf58476d1ce4e5b9ull;
  state ^= state >> 27;
  state *= 0x94d049bb133111ebull;
  return state ^ (state >> 31);
}

uint64_t MixBytes(uint64_t state, const uint8_t* data, size_t length) {
  size_t at = 0;
  for (; at + 8 <= length; at += 8) {
    uint64_t word = 0;
    std::memcpy(&word, data + at, 8);
    state = Mix(state, word);
  }
  uint64_t tail = 0;
  for (size_t i = 0; at + i < length; ++i) tail |= static_cast<uint64_t>(data[at + i]) << (8 * i);
  return Mix(state, tail ^ (static_cast<uint64_t>(length) << 56));
}

size_t RoundUp(size_t capacity) {
  size_t size = DigestWindow::kProbe;
  while (size < capacity) size <<= 1;
  return size;
}

}  // namespace

uint64_t DatagramDigest(const IpAddress& src, uint16_t src_port, const IpAddress& dst, uint16_t dst_port,
                        const uint8_t* payload, size_t length) {
  uint64_t state = MixBytes(kMultiplier, src.bytes(), IpAddress::kSize);
  state = MixBytes(state, dst.bytes(), IpAddress::kSize);
  state = Mix(state, (static_cast<uint64_t>(src_port) << 16) | dst_port);
  if (payload != nullptr) state = MixBytes(state, payload, length);
  return Finish(state);
}

DigestWindow::DigestWindow(size_t capacity) : slots_(RoundUp(capacity)) {}

bool DigestWindow::Contains(uint64_t digest, uint64_t now_ns, uint64_t window_ns) const {
  const size_t home = Home(digest);
  for (size_t i = 0; i < kProbe; ++i) {
    const Slot& slot = slots_[(home + i) & (slots_.size() - 1)];
    if (slot.used && slot.digest == digest && Fresh(slot, now_ns, window_ns)) return true;
  }
  return false;
}

void DigestWindow::Record(uint64_t digest, uint64_t now_ns, uint64_t window_ns) {
  const size_t home = Home(digest);
  Slot* target = nullptr;
  Slot* oldest = nullptr;
  for (size_t i = 0; i < kProbe; ++i) {
    Slot& slot = slots_[(home + i) & (slots_.size() - 1)];
    if (slot.used && slot.digest == digest) {
      target = &slot;
      break;
    }
    if (target == nullptr && !Fresh(slot, now_ns, window_ns)) target = &slot;
    if (oldest == nullptr || slot.at_ns < oldest->at_ns) oldest = &slot;
  }
  if (target == nullptr) target = oldest;
  target->digest = digest;
  target->at_ns = now_ns;
  target->used = true;
}

}  // namespace mcr
