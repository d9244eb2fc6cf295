#include "hamming-lookup.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace native_rules {
namespace {

struct U32View {
  const uint32_t* data = nullptr;
  size_t length = 0;
};

U32View ViewOf(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    throw Napi::TypeError::New(env, std::string(what) + " must be a Uint32Array");
  }
  Napi::Uint32Array array = value.As<Napi::Uint32Array>();
  return {array.Data(), array.ElementLength()};
}

std::vector<U32View> ViewsOf(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsArray()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of Uint32Array");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<U32View> out;
  for (uint32_t i = 0; i < list.Length(); i++) out.push_back(ViewOf(env, list.Get(i), what));
  return out;
}

std::vector<uint32_t> NumbersOf(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsArray()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of numbers");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < list.Length(); i++) out.push_back(list.Get(i).As<Napi::Number>().Uint32Value());
  return out;
}

uint32_t ChunkOf(uint64_t hash, uint32_t shift, uint32_t bits) {
  return static_cast<uint32_t>((hash >> shift) & ((1ull << bits) - 1));
}

}  // namespace

Napi::Value HammingLookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 9) throw Napi::TypeError::New(env, "hammingLookup takes 9 arguments");
  std::vector<U32View> offsets = ViewsOf(env, info[0], "offsets");
  std::vector<U32View> entries = ViewsOf(env, info[1], "entries");
  std::vector<uint32_t> bits = NumbersOf(env, info[2], "chunkBits");
  std::vector<uint32_t> shifts = NumbersOf(env, info[3], "chunkShifts");
  uint32_t tableBits = info[4].As<Napi::Number>().Uint32Value();
  uint64_t hash = (static_cast<uint64_t>(info[5].As<Napi::Number>().Uint32Value()) << 32) | info[6].As<Napi::Number>().Uint32Value();
  uint32_t maxDistance = info[7].As<Napi::Number>().Uint32Value();
  uint32_t radius = info[8].As<Napi::Number>().Uint32Value();
  if (radius > 2) throw Napi::RangeError::New(env, "radius must be 0, 1 or 2");
  if (offsets.size() != bits.size() || entries.size() != bits.size() || shifts.size() != bits.size() || tableBits > 31) {
    throw Napi::RangeError::New(env, "offsets, entries, chunkBits and chunkShifts must describe the same chunks");
  }
  const uint32_t mask = (1u << tableBits) - 1;
  std::unordered_map<uint32_t, uint32_t> found;
  auto probe = [&](size_t chunk, uint32_t value) {
    uint32_t bucket = value & mask;
    const U32View& off = offsets[chunk];
    const U32View& list = entries[chunk];
    if (bucket + 1 >= off.length) return;
    size_t begin = static_cast<size_t>(off.data[bucket]) * 3;
    size_t end = static_cast<size_t>(off.data[bucket + 1]) * 3;
    if (end > list.length) return;
    for (size_t k = begin; k < end; k += 3) {
      uint64_t other = (static_cast<uint64_t>(list.data[k + 1]) << 32) | list.data[k + 2];
      uint32_t distance = static_cast<uint32_t>(__builtin_popcountll(hash ^ other));
      if (distance <= maxDistance) found[list.data[k]] = distance;
    }
  };
  for (size_t chunk = 0; chunk < bits.size(); chunk++) {
    uint32_t value = ChunkOf(hash, shifts[chunk], bits[chunk]);
    probe(chunk, value);
    if (radius == 0) continue;
    for (uint32_t a = 0; a < bits[chunk]; a++) {
      uint32_t once = value ^ (1u << a);
      probe(chunk, once);
      if (radius == 2) for (uint32_t b = a + 1; b < bits[chunk]; b++) probe(chunk, once ^ (1u << b));
    }
  }
  Napi::Uint32Array out = Napi::Uint32Array::New(env, found.size() * 2);
  size_t i = 0;
  for (const auto& [entry, distance] : found) {
    out[i++] = entry;
    out[i++] = distance;
  }
  return out;
}

}  // namespace native_rules
