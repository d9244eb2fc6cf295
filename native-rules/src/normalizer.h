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

  void Fold(const char16_t* text, size_t length);
  inline int32_t FoldOf(uint32_t cp) const;
  inline uint8_t ClassOf(uint32_t cp) const;
  // Above the direct tables; out of line, so that the hot loops inline only the lookup.
  __attribute__((noinline)) int32_t FoldAbove(uint32_t cp) const;
  __attribute__((noinline)) uint8_t ClassAbove(uint32_t cp) const;
  inline uint32_t InHardRun(uint32_t cp) const;
  void Reserve(size_t size);
  size_t SplitRuns();
  void MarkDisguises(size_t runs);
  /** Output code points and UTF-8 bytes, from the runs alone. */
  void Plan(size_t runs, size_t* length, size_t* byteLength);
  /** Writes the kept runs straight into the result layout. */
  template <bool kOffsets>
  void Write(size_t runs, uint32_t* originStart, uint32_t* originEnd, uint32_t* byteToIndex, uint8_t* classes, uint8_t* bytes);

  NormalizerTables tables_;
  uint32_t direct_ = 0;  // code points below it are looked up in tables_.fold and tables_.classes
  std::unordered_map<uint32_t, std::vector<uint32_t>> multi_;
  std::unordered_map<uint32_t, uint32_t> upper_;
  uint8_t runKindOfClass_[256];

  // Scratch, reused across calls (an object belongs to one thread).
  std::vector<char16_t> text_;
  std::vector<uint32_t> cps_, starts_, ends_;
  std::vector<uint8_t> cls_;
  std::vector<uint32_t> runStarts_;
  std::vector<uint8_t> runKinds_, runDrop_;
  // Per run: all soft separators (separator runs); letters and digits mixed, so
  // digits read as letters (word runs).
  std::vector<uint8_t> runSoft_, runMixed_;
  size_t n_ = 0;  // folded code points in cps_/starts_/ends_/cls_
};

}  // namespace native_rules
