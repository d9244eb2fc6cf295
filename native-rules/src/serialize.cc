#include "serialize.h"

#include <cstring>
#include <string>

#include "database.h"
#include "shared-registry.h"

namespace native_rules {

Napi::Value SerializeDatabase(Napi::Env env, hs_database_t* db) {
  if (db == nullptr) throw Napi::Error::New(env, "database is closed");
  char* bytes = nullptr;
  size_t length = 0;
  hs_error_t rc = hs_serialize_database(db, &bytes, &length);
  if (rc != HS_SUCCESS) throw Napi::Error::New(env, "hs_serialize_database failed with code " + std::to_string(rc));
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(bytes), length);
  free(bytes);
  return out;
}

Napi::Value DeserializeDatabase(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "bytes must be a Uint8Array or Buffer");
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  std::string key;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsString()) throw Napi::TypeError::New(env, "key must be a string");
    key = info[1].As<Napi::String>().Utf8Value();
  }
  std::string failure;
  SharedDatabase db = SharedRegistry::Instance().Load(reinterpret_cast<const char*>(bytes.Data()),
                                                       bytes.ByteLength(), key, &failure);
  if (!db) {
    Napi::Error error = Napi::Error::New(env, "cannot load database: " + failure);
    error.Set("code", Napi::String::New(env, "NATIVE_RULES_DESERIALIZE"));
    throw error;
  }
  return Database::Wrap(env, std::move(db));
}

}  // namespace native_rules
