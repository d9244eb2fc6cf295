#pragma once

#include <napi.h>

namespace native_rules {

// compile(patterns) -> Database, synchronously.
Napi::Value CompileSync(const Napi::CallbackInfo& info);
// compileAsync(patterns) -> Promise<Database>; the compilation runs on libuv's
// thread pool so the caller's event loop keeps serving while a large pack builds.
Napi::Value CompileAsync(const Napi::CallbackInfo& info);

}  // namespace native_rules
