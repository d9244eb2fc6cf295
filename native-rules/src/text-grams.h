#pragma once

#include <napi.h>

namespace native_rules {

// textGrams(bytes[], classes[]) -> Uint32Array
// The character 3-grams of normalized texts taken as one text (src/fingerprint/
// text-grams.ts owns the meaning and keeps the reference in TypeScript): bytes[i]
// is a part's normalized UTF-8, classes[i] the class of each of its code points;
// only word (1) and CJK (2) code points count. Each gram is FNV-1a over three code
// points; the result is sorted, without repeats.
Napi::Value TextGrams(const Napi::CallbackInfo& info);

}  // namespace native_rules
