#include "text-grams.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace native_rules {
namespace {

constexpr uint8_t kWord = 1;
constexpr uint8_t kCjk = 2;

uint32_t Fnv3(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t h = 0x811c9dc5u;
  h = (h ^ a) * 0x01000193u;
  h = (h ^ b) * 0x01000193u;
  h = (h ^ c) * 0x01000193u;
  return h;
}

// The normalizer emits valid UTF-8; a truncated sequence ends the part rather than reading past it.
size_t DecodeOne(const uint8_t* s, size_t n, size_t i, uint32_t* cp) {
  uint8_t b = s[i];
  size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 1;
  if (i + len > n) return 0;
  uint32_t value = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
  for (size_t k = 1; k < len; k++) value = (value << 6) | (s[i + k] & 0x3f);
  *cp = value;
  return len;
}

Napi::Uint8Array BytesOf(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, std::string(what) + " must be an array of Uint8Array");
  }
  return value.As<Napi::Uint8Array>();
}

}  // namespace

Napi::Value TextGrams(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray()) {
    throw Napi::TypeError::New(env, "textGrams takes (bytes: Uint8Array[], classes: Uint8Array[])");
  }
  Napi::Array bytesList = info[0].As<Napi::Array>();
  Napi::Array classesList = info[1].As<Napi::Array>();
  if (bytesList.Length() != classesList.Length()) throw Napi::RangeError::New(env, "bytes and classes must have one entry per part");

  std::vector<uint32_t> chars;
  for (uint32_t part = 0; part < bytesList.Length(); part++) {
    Napi::Uint8Array bytes = BytesOf(env, bytesList.Get(part), "bytes");
    Napi::Uint8Array classes = BytesOf(env, classesList.Get(part), "classes");
    const uint8_t* s = bytes.Data();
    const size_t n = bytes.ElementLength();
    const uint8_t* cls = classes.Data();
    const size_t classCount = classes.ElementLength();
    chars.reserve(chars.size() + n);  // code points cannot outnumber bytes
    size_t index = 0;
    for (size_t i = 0; i < n && index < classCount;) {
      uint32_t cp = 0;
      size_t len = DecodeOne(s, n, i, &cp);
      if (len == 0) break;
      const uint8_t c = cls[index++];
      if (c == kWord || c == kCjk) chars.push_back(cp);
      i += len;
    }
  }
  if (chars.size() < 3) return Napi::Uint32Array::New(env, 0);
  std::vector<uint32_t> grams(chars.size() - 2);
  for (size_t k = 0; k + 2 < chars.size(); k++) grams[k] = Fnv3(chars[k], chars[k + 1], chars[k + 2]);
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  Napi::Uint32Array out = Napi::Uint32Array::New(env, grams.size());
  std::copy(grams.begin(), grams.end(), out.Data());
  return out;
}

}  // namespace native_rules
