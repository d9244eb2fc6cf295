#pragma once

#include <napi.h>
#include <hs.h>

namespace native_rules {

Napi::Value SerializeDatabase(Napi::Env env, hs_database_t* db);
// deserialize(bytes) -> Database; identical bytes loaded by several threads share
// one hs_database_t (see shared-registry.h).
Napi::Value DeserializeDatabase(const Napi::CallbackInfo& info);
// deserializeAsync(bytes, key?) -> Promise<Database>: the same, on libuv's pool.
Napi::Value DeserializeDatabaseAsync(const Napi::CallbackInfo& info);

}  // namespace native_rules
