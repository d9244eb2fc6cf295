// UTF-8 encoding of one code point: the one encoder of the addon, for every writer
// of normalized text.
#pragma once

#include <cstddef>
#include <cstdint>

namespace native_rules {

/**
 * cp's bytes as one little-endian word (the first byte lowest) and their count in
 * *width, for a writer that stores the whole word and keeps 3 bytes of slack past
 * the last code point. Any cp gets bytes (above U+10FFFF, four that are not UTF-8).
 */
inline uint32_t Utf8Word(uint32_t cp, size_t* width) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the word is stored as it is in memory");
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
