// Entry point of the native-rules addon: exports the Hyperscan operations the
// TypeScript side needs and nothing more. Meaning (terms, fields, offsets) lives
// in TypeScript; this side only compiles, (de)serializes and scans.
#include <napi.h>
#include <hs.h>

#include "compile.h"
#include "database.h"
#include "normalizer.h"
#include "hamming-lookup.h"
#include "minhash.h"
#include "text-grams.h"
#include "text-lookup.h"
#include "serialize.h"
#include "shared-registry.h"
#include "thread-schedule.h"

namespace native_rules {
namespace {

Napi::Object Flags(Napi::Env env) {
  Napi::Object flags = Napi::Object::New(env);
  flags.Set("CASELESS", HS_FLAG_CASELESS);
  flags.Set("DOTALL", HS_FLAG_DOTALL);
  flags.Set("MULTILINE", HS_FLAG_MULTILINE);
  flags.Set("SINGLEMATCH", HS_FLAG_SINGLEMATCH);
  flags.Set("ALLOWEMPTY", HS_FLAG_ALLOWEMPTY);
  flags.Set("UTF8", HS_FLAG_UTF8);
  flags.Set("UCP", HS_FLAG_UCP);
  flags.Set("PREFILTER", HS_FLAG_PREFILTER);
  flags.Set("SOM_LEFTMOST", HS_FLAG_SOM_LEFTMOST);
  return flags;
}

Napi::Value Version(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), hs_version()); }

Napi::Value ValidPlatform(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), hs_valid_platform() == HS_SUCCESS);
}

Napi::Value SharedDatabaseCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(SharedRegistry::Instance().LiveCount()));
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  AddonData* data = new AddonData();
  Napi::Function ctor = Database::Define(env);
  data->databaseConstructor = Napi::Persistent(ctor);
  env.SetInstanceData<AddonData>(data);

  exports.Set("Database", ctor);
  exports.Set("Normalizer", Normalizer::Define(env));
  exports.Set("hammingLookup", Napi::Function::New(env, HammingLookup, "hammingLookup"));
  exports.Set("textGrams", Napi::Function::New(env, TextGrams, "textGrams"));
  exports.Set("minhash", Napi::Function::New(env, Minhash, "minhash"));
  exports.Set("idleThreadSchedule", Napi::Function::New(env, IdleThreadSchedule, "idleThreadSchedule"));
  exports.Set("textLookup", Napi::Function::New(env, TextLookup, "textLookup"));
  exports.Set("compile", Napi::Function::New(env, CompileSync, "compile"));
  exports.Set("compileAsync", Napi::Function::New(env, CompileAsync, "compileAsync"));
  exports.Set("deserialize", Napi::Function::New(env, DeserializeDatabase, "deserialize"));
  exports.Set("deserializeAsync", Napi::Function::New(env, DeserializeDatabaseAsync, "deserializeAsync"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("validPlatform", Napi::Function::New(env, ValidPlatform, "validPlatform"));
  exports.Set("sharedDatabaseCount", Napi::Function::New(env, SharedDatabaseCount, "sharedDatabaseCount"));
  exports.Set("flags", Flags(env));
  return exports;
}

}  // namespace native_rules

static Napi::Object InitNativeRules(Napi::Env env, Napi::Object exports) { return native_rules::Init(env, exports); }

NODE_API_MODULE(native_rules, InitNativeRules)
