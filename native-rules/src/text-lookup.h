#pragma once

#include <napi.h>

namespace native_rules {

// textLookup(offsets, ids, bandKeys, gramOffsets, grams, tableBits, keys, query, threshold) -> Uint32Array
// The probe and exact check of a MinHash LSH lookup over the index that
// src/fingerprint/text-index.ts builds (it owns the signatures, the band keys and
// the reference in TypeScript): the banked texts that share one of `keys` (a band
// key: bucket key & (2^tableBits - 1) in offsets/ids, equal key in bandKeys) and
// whose Dice similarity to the sorted gram set `query`,
// 2 |A ∩ B| / (|A| + |B|), is at least `threshold`, each once, in the order found.
Napi::Value TextLookup(const Napi::CallbackInfo& info);

}  // namespace native_rules
