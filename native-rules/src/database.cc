#include "database.h"

#include <string>

#include "scan.h"
#include "serialize.h"

namespace native_rules {

Napi::Function Database::Define(Napi::Env env) {
  return DefineClass(env, "Database",
                     {
                         InstanceMethod<&Database::Scan>("scan"),
                         InstanceMethod<&Database::Serialize>("serialize"),
                         InstanceMethod<&Database::Info>("info"),
                         InstanceMethod<&Database::Size>("size"),
                         InstanceMethod<&Database::Close>("close"),
                     });
}

Napi::Object Database::Wrap(Napi::Env env, SharedDatabase db) {
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Object object = data->databaseConstructor.New({});
  Database* self = Database::Unwrap(object);
  self->Adopt(env, std::move(db));
  return object;
}

Database::Database(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Database>(info) {}

Database::~Database() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

void Database::Adopt(Napi::Env env, SharedDatabase db) {
  hs_scratch_t* scratch = nullptr;
  hs_error_t err = hs_alloc_scratch(db.get(), &scratch);
  if (err != HS_SUCCESS) {
    throw Napi::Error::New(env, "hs_alloc_scratch failed with code " + std::to_string(err));
  }
  db_ = std::move(db);
  scratch_ = scratch;
}

Napi::Value Database::Scan(const Napi::CallbackInfo& info) {
  return ScanBlock(info, *this);
}

Napi::Value Database::Serialize(const Napi::CallbackInfo& info) {
  return SerializeDatabase(info.Env(), db_.get());
}

Napi::Value Database::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!db_) throw Napi::Error::New(env, "database is closed");
  char* text = nullptr;
  if (hs_database_info(db_.get(), &text) != HS_SUCCESS || text == nullptr) {
    throw Napi::Error::New(env, "hs_database_info failed");
  }
  Napi::String result = Napi::String::New(env, text);
  free(text);
  return result;
}

Napi::Value Database::Size(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!db_) throw Napi::Error::New(env, "database is closed");
  size_t size = 0;
  hs_database_size(db_.get(), &size);
  return Napi::Number::New(env, static_cast<double>(size));
}

void Database::Close(const Napi::CallbackInfo&) {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
  scratch_ = nullptr;
  db_.reset();
}

}  // namespace native_rules
