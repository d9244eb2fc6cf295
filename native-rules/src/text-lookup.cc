#include "text-lookup.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace native_rules {
namespace {

struct Words {
  const uint32_t* data;
  size_t length;
};

Words WordsOf(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    throw Napi::TypeError::New(env, std::string(what) + " must be a Uint32Array");
  }
  Napi::Uint32Array array = value.As<Napi::Uint32Array>();
  return {array.Data(), array.ElementLength()};
}

// The similarity as text-grams.ts computes it (doubles), so that both agree on every threshold.
bool Reaches(size_t common, size_t total, double threshold) {
  return (2.0 * static_cast<double>(common)) / static_cast<double>(total) >= threshold;
}

// Whether the Dice similarity of the sorted sets a and b reaches `threshold`.
bool Similar(const uint32_t* a, size_t na, const uint32_t* b, size_t nb, double threshold) {
  const size_t total = na + nb;
  if (total == 0) return 0.0 >= threshold;
  // The fewest common grams that reach the threshold (Reaches grows with them).
  const size_t most = std::min(na, nb);
  const double guess = std::ceil(std::max(0.0, std::min(threshold, 2.0)) * static_cast<double>(total) / 2.0);
  size_t needed = std::min(static_cast<size_t>(guess), most + 1);
  while (needed > 0 && Reaches(needed - 1, total, threshold)) needed--;
  while (needed <= most && !Reaches(needed, total, threshold)) needed++;
  if (needed > most) return false;
  size_t i = 0, j = 0, common = 0;
  while (i < na && j < nb) {
    // Branch-free steps, then give up once the grams left cannot reach `needed`.
    const size_t steps = std::min<size_t>(16, std::min(na - i, nb - j));
    for (size_t s = 0; s < steps; s++) {
      const uint32_t x = a[i], y = b[j];
      common += x == y;
      i += x <= y;
      j += y <= x;
    }
    if (common + std::min(na - i, nb - j) < needed) return false;
  }
  return common >= needed;
}

constexpr size_t kMaxBands = 256;
constexpr size_t kLocalSlots = 1024;
constexpr uint32_t kEmpty = 0xffffffffu;

}  // namespace

Napi::Value TextLookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 9) {
    throw Napi::TypeError::New(env, "textLookup takes (offsets, ids, bandKeys, gramOffsets, grams, tableBits, keys, query, threshold)");
  }
  const Words offsets = WordsOf(env, info[0], "offsets");
  const Words ids = WordsOf(env, info[1], "ids");
  const Words bandKeys = WordsOf(env, info[2], "bandKeys");
  const Words gramOffsets = WordsOf(env, info[3], "gramOffsets");
  const Words grams = WordsOf(env, info[4], "grams");
  const uint32_t tableBits = info[5].As<Napi::Number>().Uint32Value();
  const Words keys = WordsOf(env, info[6], "keys");
  const Words query = WordsOf(env, info[7], "query");
  const double threshold = info[8].As<Napi::Number>().DoubleValue();
  if (tableBits > 31 || offsets.length != (size_t{1} << tableBits) + 1 || ids.length != bandKeys.length || gramOffsets.length == 0 ||
      keys.length > kMaxBands) {
    throw Napi::RangeError::New(env, "textLookup: the arrays do not make a text index");
  }
  const uint32_t mask = (1u << tableBits) - 1;
  const size_t texts = gramOffsets.length - 1;
  // The buckets' ranges first: their cache misses overlap (one per band).
  uint32_t begins[kMaxBands];
  uint32_t ends[kMaxBands];
  size_t scanned = 0;
  for (size_t band = 0; band < keys.length; band++) {
    const uint32_t bucket = keys.data[band] & mask;
    begins[band] = offsets.data[bucket];
    ends[band] = offsets.data[bucket + 1];
  }
  for (size_t band = 0; band < keys.length; band++) {
    if (begins[band] > ends[band] || ends[band] > ids.length) throw Napi::RangeError::New(env, "textLookup: offsets out of range");
    scanned += ends[band] - begins[band];
    __builtin_prefetch(bandKeys.data + begins[band]);
    __builtin_prefetch(ids.data + begins[band]);
  }
  // Texts seen: open addressing over at least twice as many slots as entries scanned.
  uint32_t slotBits = 6;
  while ((size_t{1} << slotBits) < 2 * scanned) slotBits++;
  const size_t slots = size_t{1} << slotBits;
  uint32_t local[kLocalSlots];
  std::vector<uint32_t> heap;
  uint32_t* seen = local;
  if (slots > kLocalSlots) {
    heap.resize(slots);
    seen = heap.data();
  }
  std::fill(seen, seen + slots, kEmpty);
  std::vector<uint32_t> candidates;
  candidates.reserve(std::min<size_t>(scanned, 256));
  for (size_t band = 0; band < keys.length; band++) {
    const uint32_t key = keys.data[band];
    for (size_t k = begins[band]; k < ends[band]; k++) {
      if (bandKeys.data[k] != key) continue;  // another band key folded into the same bucket
      const uint32_t id = ids.data[k];
      if (id >= texts) throw Napi::RangeError::New(env, "textLookup: id out of range");
      size_t slot = static_cast<size_t>((id * 0x9e3779b97f4a7c15ull) >> (64 - slotBits));
      while (seen[slot] != kEmpty && seen[slot] != id) slot = (slot + 1) & (slots - 1);
      if (seen[slot] == id) continue;
      seen[slot] = id;
      candidates.push_back(id);
    }
  }
  for (uint32_t id : candidates) __builtin_prefetch(gramOffsets.data + id);
  for (uint32_t id : candidates) {
    const uint32_t begin = gramOffsets.data[id], end = gramOffsets.data[id + 1];
    if (begin > end || end > grams.length) throw Napi::RangeError::New(env, "textLookup: gram offsets out of range");
    for (size_t g = begin; g < end; g += 16) __builtin_prefetch(grams.data + g);
  }
  std::vector<uint32_t> found;
  for (uint32_t id : candidates) {
    const uint32_t begin = gramOffsets.data[id], end = gramOffsets.data[id + 1];
    if (Similar(query.data, query.length, grams.data + begin, end - begin, threshold)) found.push_back(id);
  }
  Napi::Uint32Array out = Napi::Uint32Array::New(env, found.size());
  std::copy(found.begin(), found.end(), out.Data());
  return out;
}

}  // namespace native_rules
