// The listing-text normalizer's passes (fold, separator handling, digit reading,
// UTF-8 encoding with an offset map), run on the tables the TypeScript side builds
// and hands over once (normalizer-tables.h). Meaning is decided there
// (src/normalize/); this only executes it, fast, on the request path.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>
#include <napi.h>

#include "normalizer-tables.h"

namespace native_rules {

class Normalizer : public Napi::ObjectWrap<Normalizer> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Normalizer(const Napi::CallbackInfo& info);

 private:
  Napi::Value Normalize(const Napi::CallbackInfo& info);
  Napi::Value Tables(const Napi::CallbackInfo& info);

  inline int32_t FoldOf(uint32_t cp) const;
  inline uint8_t ClassOf(uint32_t cp) const;
  // Above the direct tables; out of line, so that the hot loop inlines only the lookup.
  __attribute__((noinline)) int32_t FoldAbove(uint32_t cp) const;
  __attribute__((noinline)) uint8_t ClassAbove(uint32_t cp) const;
  /** What the pass needs to know of a folded code point (normalizer.cc, kWidthShift...). */
  uint64_t EntryOf(uint32_t cp) const;
  void Reserve(size_t size);
  /** One pass over the text into the scratch output; returns the code points written and sets *byteLength. */
  template <bool kOffsets>
  uint32_t Pass(const char16_t* text, size_t length, size_t* byteLength);

  NormalizerTables tables_;
  uint32_t direct_ = 0;  // code points below it are looked up in tables_.fold and tables_.classes
  std::unordered_map<uint32_t, std::vector<uint32_t>> multi_;
  std::unordered_map<uint32_t, uint32_t> upper_;
  uint8_t runKindOfClass_[256];
  // Per ASCII code point: 1 a letter, 2 a digit (tables_.letters, tables_.digits).
  uint8_t asciiMix_[128];
  // The entry of each UTF-16 code unit's fold, and of the space soft separators become.
  std::vector<uint64_t> entries_;
  uint64_t space_ = 0;

  // Scratch, reused across calls (an object belongs to one thread): the text, and
  // the result's arrays before they are copied into the exact-sized result.
  std::vector<char16_t> text_;
  std::vector<uint32_t> originStart_, originEnd_, byteToIndex_;
  std::vector<uint8_t> classes_, bytes_;
};

}  // namespace native_rules
