// UTF-8 encoding of one code point: the one encoder of the addon, for every writer
// of normalized text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace native_rules {

inline size_t Utf8Length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

/**
 * Writes cp at out (room for 4 bytes) and returns the bytes written. Each branch
 * calls onWidth(bytes) with its own constant count, so that a caller's per-byte
 * work (an offset map) unrolls inside the branch instead of looping after it.
 */
template <typename OnWidth>
inline size_t EncodeUtf8(uint32_t cp, uint8_t* out, OnWidth onWidth) {
  if (cp < 0x80) {
    out[0] = static_cast<uint8_t>(cp);
    onWidth(1);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<uint8_t>(0xC0 | (cp >> 6));
    out[1] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    onWidth(2);
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<uint8_t>(0xE0 | (cp >> 12));
    out[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    onWidth(3);
    return 3;
  }
  out[0] = static_cast<uint8_t>(0xF0 | (cp >> 18));
  out[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
  onWidth(4);
  return 4;
}

inline size_t EncodeUtf8(uint32_t cp, uint8_t* out) {
  return EncodeUtf8(cp, out, [](size_t) {});
}

/**
 * cp's bytes as one little-endian word (the first byte lowest), their count in
 * *width: the same bytes as EncodeUtf8 for any cp, for writers that store a whole
 * word and keep 3 bytes of slack past the last code point.
 */
inline uint32_t Utf8Word(uint32_t cp, size_t* width) {
  if (cp < 0x80) {
    *width = 1;
    return cp;
  }
  if (cp < 0x800) {
    *width = 2;
    return (0xC0 | cp >> 6) | (0x80 | (cp & 0x3F)) << 8;
  }
  if (cp < 0x10000) {
    *width = 3;
    return (0xE0 | cp >> 12) | (0x80 | (cp >> 6 & 0x3F)) << 8 | (0x80 | (cp & 0x3F)) << 16;
  }
  *width = 4;
  return ((0xF0 | cp >> 18) & 0xFF) | (0x80 | (cp >> 12 & 0x3F)) << 8 | (0x80 | (cp >> 6 & 0x3F)) << 16 | (0x80 | (cp & 0x3F)) << 24;
}

}  // namespace native_rules
