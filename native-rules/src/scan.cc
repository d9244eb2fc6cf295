#include "scan.h"

#include <cstring>
#include <string>
#include <vector>

#include <hs.h>

#include "database.h"

namespace native_rules {
namespace {

struct MatchSink {
  std::vector<uint32_t> triples;
  size_t limit;
  // Matches kept per pattern id: padding a listing with one term a thousand times
  // costs the scan's callback a counter, not the caller a thousand matches to sift.
  size_t perPattern;
  std::vector<uint32_t> counts;
  bool truncated = false;
};

int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int, void* context) {
  MatchSink* sink = static_cast<MatchSink*>(context);
  if (sink->triples.size() / 3 >= sink->limit) {
    sink->truncated = true;
    return 1;  // stop scanning: the caller asked for at most `limit` matches
  }
  if (id >= sink->counts.size()) sink->counts.resize(static_cast<size_t>(id) + 1, 0);
  if (sink->counts[id] >= sink->perPattern) {
    sink->truncated = true;
    return 0;  // this pattern has had its share; the others may still match
  }
  sink->counts[id]++;
  sink->triples.push_back(id);
  sink->triples.push_back(static_cast<uint32_t>(from));
  sink->triples.push_back(static_cast<uint32_t>(to));
  return 0;
}

}  // namespace

Napi::Value ScanBlock(const Napi::CallbackInfo& info, Database& database) {
  Napi::Env env = info.Env();
  if (database.raw() == nullptr) throw Napi::Error::New(env, "database is closed");
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    throw Napi::TypeError::New(env, "data must be a Uint8Array or Buffer");
  }
  Napi::TypedArray typed = info[0].As<Napi::TypedArray>();
  if (typed.TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "data must be a Uint8Array or Buffer");
  }
  Napi::Uint8Array bytes = typed.As<Napi::Uint8Array>();
  size_t limit = 65536;
  if (info.Length() >= 2 && !info[1].IsUndefined()) {
    if (!info[1].IsNumber() || info[1].As<Napi::Number>().DoubleValue() < 1) {
      throw Napi::TypeError::New(env, "maxMatches must be a positive integer");
    }
    limit = static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue());
  }
  size_t perPattern = limit;
  if (info.Length() >= 3 && !info[2].IsUndefined()) {
    if (!info[2].IsNumber() || info[2].As<Napi::Number>().DoubleValue() < 1) {
      throw Napi::TypeError::New(env, "maxPerPattern must be a positive integer");
    }
    perPattern = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
  }
  if (bytes.ByteLength() > 0xFFFFFFFFu) throw Napi::RangeError::New(env, "data must be shorter than 4 GiB");

  static const char kEmpty[1] = {0};
  const char* data = bytes.ByteLength() == 0 ? kEmpty : reinterpret_cast<const char*>(bytes.Data());
  MatchSink sink;
  sink.limit = limit;
  sink.perPattern = perPattern;
  hs_error_t rc = hs_scan(database.raw(), data, static_cast<unsigned int>(bytes.ByteLength()), 0,
                          database.scratch(), OnMatch, &sink);
  if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
    throw Napi::Error::New(env, "hs_scan failed with code " + std::to_string(rc));
  }
  Napi::Uint32Array out = Napi::Uint32Array::New(env, sink.triples.size());
  if (!sink.triples.empty()) {
    std::memcpy(out.Data(), sink.triples.data(), sink.triples.size() * sizeof(uint32_t));
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("matches", out);
  result.Set("truncated", Napi::Boolean::New(env, sink.truncated));
  return result;
}

}  // namespace native_rules
