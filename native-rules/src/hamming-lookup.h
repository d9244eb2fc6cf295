#pragma once

#include <napi.h>

namespace native_rules {

// hammingLookup(offsets[], entries[], chunkBits[], chunkShifts[], tableBits, hi, lo, maxDistance, radius)
//   -> Uint32Array of (entry, distance) pairs
// Multi-index hashing probe (src/fingerprint/image-index.ts builds the tables and
// owns their meaning): for each chunk, the bucket of the query's chunk value and of
// every value up to `radius` bits away; bucket entries are (entry, hi, lo) triples.
Napi::Value HammingLookup(const Napi::CallbackInfo& info);

}  // namespace native_rules
