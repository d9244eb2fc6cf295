#include "normalizer.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "napi-status.h"
#include "utf8.h"

namespace native_rules {
namespace {

enum RunKind : uint32_t { kRunWord = 0, kRunCjk = 1, kRunSeparator = 2 };
constexpr uint32_t kNoRun = 4;  // before the first run and after the last

// An entry (EntryOf) is all the pass needs to know of a folded code point, in one
// load: its UTF-8 bytes as one little-endian word and their count, its run kind,
// whether it is a soft separator, whether a separator run writes it as the space
// (soft, or the space itself), letter (1) and digit (2) bits for "a word mixes
// letters and digits" (ASCII only), and its class. A direct entry whose kind is
// kSlow is no plain one-to-one fold (dropped, multiple, or a high surrogate).
constexpr int kWidthShift = 32;  // 3 bits
constexpr int kKindShift = 35;   // 2 bits
constexpr int kSoftShift = 37;
constexpr int kSpaceShift = 38;
constexpr int kMixShift = 39;    // 2 bits
constexpr int kClassShift = 56;  // 8 bits
constexpr uint32_t kSlow = 3;

inline uint32_t KindOf(uint64_t entry) { return static_cast<uint32_t>(entry >> kKindShift) & 3; }

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
  for (uint32_t cp = 0; cp < 128; cp++) asciiMix_[cp] = (tables_.letters[cp] != 0 ? 1 : 0) | (tables_.digits[cp] != 0 ? 2 : 0);
  space_ = EntryOf(tables_.space);
  // A UTF-16 code unit is looked up here; a surrogate pair goes the slow way.
  entries_.resize(0x10000);
  for (uint32_t cp = 0; cp < entries_.size(); cp++) {
    int32_t folded = tables_.fold[cp];
    bool plain = folded >= 0 && !(cp >= 0xD800 && cp <= 0xDBFF);
    entries_[cp] = plain ? EntryOf(static_cast<uint32_t>(folded)) : static_cast<uint64_t>(kSlow) << kKindShift;
  }
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

inline uint8_t Normalizer::ClassOf(uint32_t cp) const { return cp < direct_ ? tables_.classes[cp] : ClassAbove(cp); }

uint8_t Normalizer::ClassAbove(uint32_t cp) const {
  const std::vector<uint32_t>& above = tables_.classesAbove;
  for (size_t i = 0; i < above.size(); i += 3) {
    if (cp >= above[i] && cp <= above[i + 1]) return static_cast<uint8_t>(above[i + 2]);
  }
  return tables_.otherClass;
}

uint64_t Normalizer::EntryOf(uint32_t cp) const {
  size_t width = 0;
  const uint32_t word = Utf8Word(cp, &width);
  const uint8_t cls = ClassOf(cp);
  const bool soft = cp < tables_.soft.size() && tables_.soft[cp] == 1;
  const uint32_t mix = cp < 128 ? asciiMix_[cp] : 0;
  return word | static_cast<uint64_t>(width) << kWidthShift | static_cast<uint64_t>(runKindOfClass_[cls]) << kKindShift |
         static_cast<uint64_t>(soft) << kSoftShift | static_cast<uint64_t>(soft || cp == tables_.space) << kSpaceShift |
         static_cast<uint64_t>(mix) << kMixShift | static_cast<uint64_t>(cls) << kClassShift;
}

void Normalizer::Reserve(size_t size) {
  if (classes_.size() >= size) return;
  size = std::max(size, classes_.size() * 2);
  originStart_.resize(size);
  originEnd_.resize(size);
  classes_.resize(size);
  // 3 past the widest output, for the padded writes of the last code point.
  bytes_.resize(4 * size + 3);
  byteToIndex_.resize(4 * size + 3);
}

// The fold, the runs, the separator rules and the encoding in one pass, each code
// point written as it comes. What a run's end decides is applied then to what the
// run wrote: a word run that mixes letters and digits has its digits rewritten as
// letters (one byte each way); a separator run between CJK characters is taken
// back; an all-soft separator run, written as its first space, has that space's
// origin stretched over the whole run.
// The state lives in locals and the helpers are forced inline: a helper left out of
// line would take the locals' addresses, and every byte written would reload them.
#define NORMALIZER_INLINE __attribute__((always_inline))
template <bool kOffsets>
uint32_t Normalizer::Pass(const char16_t* text, size_t length, size_t* byteLength) {
  // Each code unit gives at most one code point, but for multiple folds, which grow
  // the scratch first.
  Reserve(length + 16);
  const uint64_t* entries = entries_.data();
  const uint64_t space = space_;
  const uint32_t maxInsideRun = tables_.maxInsideRun;
  const uint8_t* digitLetters = tables_.digitLetters.data();
  uint32_t *originStart, *originEnd, *byteToIndex;
  uint8_t *classes, *bytes;
  auto bind = [&]() NORMALIZER_INLINE {
    originStart = originStart_.data();
    originEnd = originEnd_.data();
    byteToIndex = byteToIndex_.data();
    classes = classes_.data();
    bytes = bytes_.data();
  };
  bind();

  uint32_t m = 0;  // code points written
  size_t b = 0;    // bytes written
  uint32_t run = kNoRun;
  // Where the run being read starts in the output.
  uint32_t runStart = 0;
  size_t runBytes = 0;
  // A word run: 1 if it has a letter, | 2 if a digit (gathered over every run, read for words).
  uint32_t mix = 0;
  // A separator run: the run before it, its length, the end of its last character,
  // all of it soft, its last character written as the space.
  uint32_t beforeSeparators = kNoRun;
  uint32_t separators = 0;
  uint32_t separatorsEnd = 0;
  bool allSoft = true;
  bool lastSpace = false;

  auto put = [&](uint64_t entry, uint32_t start, uint32_t end) NORMALIZER_INLINE {
    classes[m] = static_cast<uint8_t>(entry >> kClassShift);
    if constexpr (kOffsets) {
      originStart[m] = start;
      originEnd[m] = end;
      // As many as the widest code point; the next one overwrites what this one did not use.
      for (size_t k = 0; k < 4; k++) byteToIndex[b + k] = m;
    } else {
      (void)start;
      (void)end;
    }
    const uint32_t word = static_cast<uint32_t>(entry);
    std::memcpy(bytes + b, &word, 4);
    b += (entry >> kWidthShift) & 7;
    m++;
  };
  // Ends the run being read and starts one of kind next (kNoRun: the text's end).
  auto turn = [&](uint32_t next) NORMALIZER_INLINE {
    if (run == kRunWord) {
      if (mix == 3) {
        for (size_t k = runBytes; k < b; k++) {
          if (bytes[k] < 0x80 && digitLetters[bytes[k]] != 0) bytes[k] = digitLetters[bytes[k]];
        }
      }
    } else if (run == kRunSeparator) {
      // Short separator runs between CJK characters are dropped (`路 易 威 登`), where
      // words are not spaced. Separators between Latin letters are kept: the matcher
      // reads a term through them (src/matcher/term-expression.ts), which only it can
      // do without gluing a spaced-out term onto the single letters around it (`a L.V bag`).
      if (beforeSeparators == kRunCjk && next == kRunCjk && separators <= maxInsideRun) {
        m = runStart;
        b = runBytes;
      } else if (allSoft) {
        if constexpr (kOffsets) originEnd[runStart] = separatorsEnd;
      }
    }
    if (next == kRunSeparator) {
      beforeSeparators = run;
      separators = 0;
      allSoft = true;
      lastSpace = false;
    }
    mix = 0;
    run = next;
    runStart = m;
    runBytes = b;
  };
  // One folded code point, of any kind.
  auto emit = [&](uint64_t entry, uint32_t start, uint32_t end) NORMALIZER_INLINE {
    const uint32_t kind = KindOf(entry);
    if (kind != run) turn(kind);
    mix |= static_cast<uint32_t>(entry >> kMixShift) & 3;
    if (kind != kRunSeparator) {
      put(entry, start, end);
      return;
    }
    // Soft separators become one space per stretch; hard ones stay
    // (`1 . : 1` -> `1 : 1`, `+★` -> `+ `), so that a term reads through a mixed
    // run as through a soft one (term-expression.ts).
    const bool asSpace = (entry >> kSpaceShift) & 1;
    if (!(asSpace && lastSpace)) put(asSpace ? space : entry, start, end);
    lastSpace = asSpace;
    allSoft = allSoft && ((entry >> kSoftShift) & 1);
    separators++;
    separatorsEnd = end;
  };

  for (size_t i = 0; i < length;) {
    uint64_t entry = entries[text[i]];
    // A run that goes on is the common case, written by loops of their own, where
    // little is live (a slow entry's kind is never a run's).
    if (KindOf(entry) == run && run == kRunCjk) {
      for (;;) {
        put(entry, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
        if (++i == length) break;
        entry = entries[text[i]];
        if (KindOf(entry) == kRunCjk) continue;
        // One separator between CJK characters is dropped (turn()), here at less cost.
        if (KindOf(entry) != kRunSeparator || maxInsideRun == 0 || i + 1 == length || KindOf(entries[text[i + 1]]) != kRunCjk) break;
        entry = entries[text[++i]];
      }
      continue;
    }
    if (KindOf(entry) == run && run == kRunWord) {
      for (;;) {
        mix |= static_cast<uint32_t>(entry >> kMixShift) & 3;
        put(entry, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
        if (++i == length) break;
        entry = entries[text[i]];
        if (KindOf(entry) == kRunWord) continue;
        // One soft separator between words (`oil 4L`) is one space, which ends a word
        // run and starts the next: what turn() would do, at less cost.
        if (!((entry >> kSoftShift) & 1) || i + 1 == length || KindOf(entries[text[i + 1]]) != kRunWord) break;
        turn(kRunWord);
        put(space, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
        runStart = m;
        runBytes = b;
        entry = entries[text[++i]];
      }
      continue;
    }
    if (__builtin_expect(KindOf(entry) != kSlow, 1)) {
      emit(entry, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
      i++;
      continue;
    }
    // A surrogate pair, a dropped character or a multiple fold.
    uint32_t cp = text[i];
    size_t end = i + 1;
    int32_t folded;
    if (cp >= 0xD800 && cp <= 0xDBFF && end < length && text[end] >= 0xDC00 && text[end] <= 0xDFFF) {
      cp = (cp - 0xD800) * 0x400 + (text[end] - 0xDC00) + 0x10000;
      end++;
      folded = FoldOf(cp);
    } else {
      folded = tables_.fold[cp];
    }
    const uint32_t* parts = nullptr;
    size_t count = 0;
    uint32_t single = static_cast<uint32_t>(folded);
    if (folded >= 0) {
      parts = &single;
      count = 1;
    } else if (folded == tables_.foldMultiple) {
      auto found = multi_.find(cp);
      if (found != multi_.end()) {
        parts = found->second.data();
        count = found->second.size();
        size_t need = m + count + (length - end) + 16;
        if (need > classes_.size()) {
          Reserve(need);
          bind();
        }
      }
    }
    for (size_t k = 0; k < count; k++) emit(EntryOf(parts[k]), static_cast<uint32_t>(i), static_cast<uint32_t>(end));
    i = end;
  }
  turn(kNoRun);
  if constexpr (kOffsets) byteToIndex[b] = m;
  *byteLength = b;
  return m;
}
#undef NORMALIZER_INLINE

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

  size_t byteLength = 0;
  const size_t m = withOffsets ? Pass<true>(text_.data(), length, &byteLength) : Pass<false>(text_.data(), length, &byteLength);

  size_t total = 8 + (withOffsets ? 4 * (m + m + byteLength + 1) : 0) + m + byteLength;
  // A Buffer is not zero-filled: every byte of the layout is copied below.
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(env, total);
  uint8_t* base = buffer.Data();
  if (reinterpret_cast<uintptr_t>(base) % 4 != 0) throw Napi::Error::New(env, "unaligned result buffer");
  uint32_t* header = reinterpret_cast<uint32_t*>(base);
  header[0] = static_cast<uint32_t>(m);
  header[1] = static_cast<uint32_t>(byteLength);
  uint8_t* out = base + 8;
  if (withOffsets) {
    std::memcpy(out, originStart_.data(), 4 * m);
    std::memcpy(out + 4 * m, originEnd_.data(), 4 * m);
    std::memcpy(out + 8 * m, byteToIndex_.data(), 4 * (byteLength + 1));
    out += 8 * m + 4 * (byteLength + 1);
  }
  std::memcpy(out, classes_.data(), m);
  std::memcpy(out + m, bytes_.data(), byteLength);
  return buffer;
}

}  // namespace native_rules
