#include "normalizer.h"

#include <algorithm>
#include <iterator>

#include "napi-status.h"
#include "utf8.h"

namespace native_rules {
namespace {

enum RunKind : uint8_t { kRunWord = 0, kRunCjk = 1, kRunSeparator = 2 };

}  // namespace

Napi::Function Normalizer::Define(Napi::Env env) {
  return DefineClass(env, "Normalizer",
                     {InstanceMethod<&Normalizer::Normalize>("normalize"), InstanceMethod<&Normalizer::Tables>("tables")});
}

// new Normalizer(tables): the shape is NormalizerTables in src/native/rules-engine.ts.
Normalizer::Normalizer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Normalizer>(info) {
  tables_ = NormalizerTables::Read(info.Env(), info[0]);
  direct_ = static_cast<uint32_t>(tables_.fold.size());
  const std::vector<uint32_t>& multi = tables_.multi;
  for (size_t i = 0; i < multi.size(); i += 2 + multi[i + 1]) {
    multi_[multi[i]] = std::vector<uint32_t>(multi.begin() + i + 2, multi.begin() + i + 2 + multi[i + 1]);
  }
  const std::vector<uint32_t>& upper = tables_.upper;
  for (size_t i = 0; i < upper.size(); i += 2) upper_[upper[i]] = upper[i + 1];
  std::fill(std::begin(runKindOfClass_), std::end(runKindOfClass_), kRunSeparator);
  runKindOfClass_[tables_.wordClass] = kRunWord;
  runKindOfClass_[tables_.cjkClass] = kRunCjk;
}

Napi::Value Normalizer::Tables(const Napi::CallbackInfo& info) { return tables_.ToObject(info.Env()); }

inline int32_t Normalizer::FoldOf(uint32_t cp) const { return cp < direct_ ? tables_.fold[cp] : FoldAbove(cp); }

int32_t Normalizer::FoldAbove(uint32_t cp) const {
  const std::vector<uint32_t>& ignored = tables_.ignoredAbove;
  for (size_t i = 0; i < ignored.size(); i += 2) {
    if (cp >= ignored[i] && cp <= ignored[i + 1]) return tables_.foldDeleted;
  }
  auto found = upper_.find(cp);
  return found != upper_.end() ? static_cast<int32_t>(found->second) : static_cast<int32_t>(cp);
}

// In a run that mixes hard punctuation with soft separators, the hard characters
// stay and each stretch of soft ones is one space (`1 . : 1` -> `1 : 1`, `+★` -> `+ `),
// so that a term reads through the run as through a soft one (term-expression.ts).
inline uint32_t Normalizer::InHardRun(uint32_t cp) const {
  return cp < tables_.soft.size() && tables_.soft[cp] == 1 ? tables_.space : cp;
}

inline uint8_t Normalizer::ClassOf(uint32_t cp) const { return cp < direct_ ? tables_.classes[cp] : ClassAbove(cp); }

uint8_t Normalizer::ClassAbove(uint32_t cp) const {
  const std::vector<uint32_t>& above = tables_.classesAbove;
  for (size_t i = 0; i < above.size(); i += 3) {
    if (cp >= above[i] && cp <= above[i + 1]) return static_cast<uint8_t>(above[i + 2]);
  }
  return tables_.otherClass;
}

void Normalizer::Reserve(size_t size) {
  if (cps_.size() >= size) return;
  size = std::max(size, cps_.size() * 2);
  cps_.resize(size);
  starts_.resize(size);
  ends_.resize(size);
  cls_.resize(size);
  runStarts_.resize(size + 1);
  runKinds_.resize(size);
  runDrop_.resize(size);
  runSoft_.resize(size);
  runMixed_.resize(size);
}

void Normalizer::Fold(const char16_t* text, size_t length) {
  Reserve(length + 16);
  size_t n = 0;
  for (size_t i = 0; i < length;) {
    uint32_t cp = text[i];
    size_t end = i + 1;
    int32_t folded;
    if (cp >= 0xD800 && cp <= 0xDBFF && end < length && text[end] >= 0xDC00 && text[end] <= 0xDFFF) {
      cp = (cp - 0xD800) * 0x400 + (text[end] - 0xDC00) + 0x10000;
      end++;
      folded = FoldOf(cp);
    } else {
      folded = tables_.fold[cp];  // one code unit: the direct table covers the BMP (NormalizerTables::Read)
    }
    if (folded >= 0) {
      uint32_t f = static_cast<uint32_t>(folded);
      cps_[n] = f;
      starts_[n] = static_cast<uint32_t>(i);
      ends_[n] = static_cast<uint32_t>(end);
      cls_[n] = ClassOf(f);
      n++;
    } else if (folded == tables_.foldMultiple) {
      auto found = multi_.find(cp);
      if (found != multi_.end()) {
        Reserve(n + found->second.size() + (length - end) + 16);
        for (uint32_t part : found->second) {
          cps_[n] = part;
          starts_[n] = static_cast<uint32_t>(i);
          ends_[n] = static_cast<uint32_t>(end);
          cls_[n] = ClassOf(part);
          n++;
        }
      }
    }
    i = end;
  }
  n_ = n;
}

size_t Normalizer::SplitRuns() {
  const uint8_t* letterTable = tables_.letters.data();
  const uint8_t* digitTable = tables_.digits.data();
  const size_t ascii = tables_.letters.size();
  size_t n = n_;
  size_t runs = 0;
  for (size_t i = 0; i < n;) {
    RunKind kind = static_cast<RunKind>(runKindOfClass_[cls_[i]]);
    runStarts_[runs] = static_cast<uint32_t>(i);
    runKinds_[runs] = kind;
    runDrop_[runs] = 0;
    uint8_t letters = 0, digits = 0;
    bool soft = true;
    do {
      uint32_t cp = cps_[i];
      if (kind == kRunWord) {
        if (cp < ascii) {
          letters |= letterTable[cp];
          digits |= digitTable[cp];
        }
      } else if (kind == kRunSeparator) {
        soft = soft && cp < tables_.soft.size() && tables_.soft[cp] == 1;
      }
      i++;
    } while (kind != kRunCjk && i < n && runKindOfClass_[cls_[i]] == kind);
    runMixed_[runs] = letters != 0 && digits != 0;
    runSoft_[runs] = soft;
    runs++;
  }
  runStarts_[runs] = static_cast<uint32_t>(n);
  return runs;
}

// Drops short separator runs between CJK characters (`路 易 威 登`), where words are
// not spaced. Separators between Latin letters are kept: the matcher reads a term
// through them (src/matcher/term-expression.ts), which only it can do without
// gluing a spaced-out term onto the single letters around it (`a L.V bag`).
void Normalizer::MarkDisguises(size_t runs) {
  const uint32_t maxInsideRun = tables_.maxInsideRun;
  auto length = [this](size_t r) { return runStarts_[r + 1] - runStarts_[r]; };
  for (size_t r = 1; r + 1 < runs; r++) {
    if (runKinds_[r - 1] == kRunCjk && runKinds_[r + 1] == kRunCjk && runKinds_[r] == kRunSeparator && length(r) <= maxInsideRun) runDrop_[r] = 1;
  }
}

void Normalizer::Plan(size_t runs, size_t* length, size_t* byteLength) {
  const uint32_t space = tables_.space;
  size_t m = 0, bytes = 0;
  for (size_t r = 0; r < runs; r++) {
    if (runDrop_[r]) continue;
    size_t start = runStarts_[r], end = runStarts_[r + 1];
    if (runKinds_[r] == kRunSeparator && runSoft_[r]) {
      m += 1;
      bytes += Utf8Length(space);
      continue;
    }
    for (size_t i = start; i < end; i++) {
      if (runKinds_[r] == kRunSeparator && i > start && InHardRun(cps_[i]) == space && InHardRun(cps_[i - 1]) == space) continue;
      m++;
      bytes += Utf8Length(runKinds_[r] == kRunSeparator ? InHardRun(cps_[i]) : cps_[i]);  // a digit read as a letter is one byte either way
    }
  }
  *length = m;
  *byteLength = bytes;
}

template <bool kOffsets>
void Normalizer::Write(size_t runs, uint32_t* originStart, uint32_t* originEnd, uint32_t* byteToIndex, uint8_t* classes, uint8_t* bytes) {
  const uint32_t space = tables_.space;
  const uint8_t spaceClass = ClassOf(space);
  const uint8_t* digitLetters = tables_.digitLetters.data();
  const size_t ascii = tables_.digitLetters.size();
  uint32_t m = 0;
  size_t b = 0;
  auto put = [&](uint32_t cp, uint32_t start, uint32_t end, uint8_t cls) {
    classes[m] = cls;
    if constexpr (kOffsets) {
      originStart[m] = start;
      originEnd[m] = end;
      b += EncodeUtf8(cp, bytes + b, [&](size_t width) {
        for (size_t k = 0; k < width; k++) byteToIndex[b + k] = m;
      });
    } else {
      (void)start;
      (void)end;
      b += EncodeUtf8(cp, bytes + b);
    }
    m++;
  };
  for (size_t r = 0; r < runs; r++) {
    if (runDrop_[r]) continue;
    size_t start = runStarts_[r], end = runStarts_[r + 1];
    switch (runKinds_[r]) {
      case kRunWord: {
        const bool mixed = runMixed_[r];
        for (size_t i = start; i < end; i++) {
          uint32_t cp = cps_[i];
          if (mixed && cp < ascii && digitLetters[cp] != 0) cp = digitLetters[cp];
          put(cp, starts_[i], ends_[i], cls_[i]);
        }
        break;
      }
      case kRunCjk:
        for (size_t i = start; i < end; i++) put(cps_[i], starts_[i], ends_[i], cls_[i]);
        break;
      default:
        if (runSoft_[r]) {
          put(space, starts_[start], ends_[end - 1], spaceClass);
          break;
        }
        for (size_t i = start; i < end; i++) {
          uint32_t cp = InHardRun(cps_[i]);
          if (cp == space && i > start && InHardRun(cps_[i - 1]) == space) continue;
          put(cp, starts_[i], ends_[i], cp == space ? spaceClass : cls_[i]);
        }
    }
  }
  if constexpr (kOffsets) byteToIndex[b] = m;
}

// normalize(text, withOffsets = true) -> Buffer laid out as:
//   u32 length (code points), u32 byteLength,
//   u32 originStart[length], u32 originEnd[length], u32 byteToIndex[byteLength + 1]   (only withOffsets)
//   u8 classes[length], u8 bytes[byteLength]
Napi::Value Normalizer::Normalize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "text must be a string");
  const bool withOffsets = info.Length() < 2 || info[1].ToBoolean().Value();
  size_t length = 0;
  CheckStatus(env, napi_get_value_string_utf16(env, info[0], nullptr, 0, &length), "normalize: reading the text's length (napi_get_value_string_utf16)");
  if (text_.size() < length + 1) text_.resize(length + 1);
  CheckStatus(env, napi_get_value_string_utf16(env, info[0], text_.data(), length + 1, &length), "normalize: reading the text (napi_get_value_string_utf16)");

  Fold(text_.data(), length);
  size_t runs = SplitRuns();
  MarkDisguises(runs);
  size_t m = 0, byteLength = 0;
  Plan(runs, &m, &byteLength);

  size_t total = 8 + (withOffsets ? 4 * (m + m + byteLength + 1) : 0) + m + byteLength;
  // A Buffer is not zero-filled: every byte of the layout is written below.
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(env, total);
  uint8_t* base = buffer.Data();
  if (reinterpret_cast<uintptr_t>(base) % 4 != 0) throw Napi::Error::New(env, "unaligned result buffer");
  uint32_t* header = reinterpret_cast<uint32_t*>(base);
  header[0] = static_cast<uint32_t>(m);
  header[1] = static_cast<uint32_t>(byteLength);
  if (!withOffsets) {
    uint8_t* classes = reinterpret_cast<uint8_t*>(header + 2);
    Write<false>(runs, nullptr, nullptr, nullptr, classes, classes + m);
    return buffer;
  }
  uint32_t* originStart = header + 2;
  uint32_t* originEnd = originStart + m;
  uint32_t* byteToIndex = originEnd + m;
  uint8_t* classes = reinterpret_cast<uint8_t*>(byteToIndex + byteLength + 1);
  uint8_t* bytes = classes + m;
  Write<true>(runs, originStart, originEnd, byteToIndex, classes, bytes);
  return buffer;
}

}  // namespace native_rules
