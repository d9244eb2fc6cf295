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

namespace {

struct DeserializeArgs {
  Napi::Uint8Array bytes;
  std::string key;
};

DeserializeArgs ReadDeserializeArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "bytes must be a Uint8Array or Buffer");
  }
  DeserializeArgs args{info[0].As<Napi::Uint8Array>(), ""};
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsString()) throw Napi::TypeError::New(env, "key must be a string");
    args.key = info[1].As<Napi::String>().Utf8Value();
  }
  return args;
}

Napi::Error LoadError(Napi::Env env, const std::string& failure) {
  Napi::Error error = Napi::Error::New(env, "cannot load database: " + failure);
  error.Set("code", Napi::String::New(env, "NATIVE_RULES_DESERIALIZE"));
  return error;
}

// Loads on libuv's pool: a large pack's database takes tens of milliseconds to
// load, which the event loop answering checks cannot spare.
class DeserializeWorker : public Napi::AsyncWorker {
 public:
  DeserializeWorker(Napi::Env env, const DeserializeArgs& args)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        // Held so that the bytes cannot be collected while the pool reads them.
        bytesRef_(Napi::Persistent(args.bytes)),
        data_(reinterpret_cast<const char*>(args.bytes.Data())),
        length_(args.bytes.ByteLength()),
        key_(args.key) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { db_ = SharedRegistry::Instance().Load(data_, length_, key_, &failure_); }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (!db_) {
      deferred_.Reject(LoadError(env, failure_).Value());
      return;
    }
    try {
      deferred_.Resolve(Database::Wrap(env, std::move(db_)));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Uint8Array> bytesRef_;
  const char* data_;
  size_t length_;
  std::string key_;
  std::string failure_;
  SharedDatabase db_;
};

}  // namespace

Napi::Value DeserializeDatabase(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeserializeArgs args = ReadDeserializeArgs(info);
  std::string failure;
  SharedDatabase db = SharedRegistry::Instance().Load(reinterpret_cast<const char*>(args.bytes.Data()),
                                                       args.bytes.ByteLength(), args.key, &failure);
  if (!db) throw LoadError(env, failure);
  return Database::Wrap(env, std::move(db));
}

Napi::Value DeserializeDatabaseAsync(const Napi::CallbackInfo& info) {
  DeserializeWorker* worker = new DeserializeWorker(info.Env(), ReadDeserializeArgs(info));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace native_rules
