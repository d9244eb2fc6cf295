#pragma once

#include <napi.h>

namespace native_rules {

// hammingLookup(table, hi, lo, maxDistance) -> Uint32Array of (entry, distance)
// pairs, by entry. Multi-index hashing probe over the one-array index that
// src/fingerprint/image-index.ts builds (and whose layout it owns):
//   [count, chunks, then per chunk: bits, shift, radius, tableBits, offsetsAt, entriesAt, ...]
// A chunk's table has 2^tableBits + 1 offsets (in entries) at offsetsAt; its
// entries are count (lo, hi) hash pairs grouped by bucket at entriesAt, then the
// count entry ids in the same order. A lookup probes, per chunk, every bucket
// within `radius` bits of the query's chunk value (folded into tableBits).
Napi::Value HammingLookup(const Napi::CallbackInfo& info);

}  // namespace native_rules
