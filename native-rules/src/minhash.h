#pragma once

#include <napi.h>

namespace native_rules {

// minhash(grams, seedsA, seedsB) -> Uint32Array of seedsA.length minima
// For each k, the least over the grams x of mix(x * seedsA[k] + seedsB[k]) (32-bit,
// mix: xor-shift 16, multiply 0x85ebca6b, xor-shift 13). src/fingerprint/
// text-index.ts owns the seeds, the banding and the reference in TypeScript.
Napi::Value Minhash(const Napi::CallbackInfo& info);

}  // namespace native_rules
