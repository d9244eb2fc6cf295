// A Hyperscan block-mode database as seen from JavaScript.
// The compiled bytes may be shared by every thread of the process (see
// shared-registry.h); the scratch belongs to this object, and so to the one
// JavaScript thread that created it, and is allocated once, when the database is
// loaded, never while scanning.
#pragma once

#include <memory>
#include <napi.h>
#include <hs.h>

namespace native_rules {

using SharedDatabase = std::shared_ptr<hs_database_t>;

class Database : public Napi::ObjectWrap<Database> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, SharedDatabase db);

  explicit Database(const Napi::CallbackInfo& info);
  ~Database() override;

  hs_database_t* raw() const { return db_.get(); }
  hs_scratch_t* scratch() const { return scratch_; }

 private:
  Napi::Value Scan(const Napi::CallbackInfo& info);
  Napi::Value Serialize(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  void Adopt(Napi::Env env, SharedDatabase db);

  SharedDatabase db_;
  hs_scratch_t* scratch_ = nullptr;
};

// Stored on the addon's instance data so that each thread's copy of the module
// has its own constructor reference.
struct AddonData {
  Napi::FunctionReference databaseConstructor;
};

}  // namespace native_rules
