// A raw N-API call reports failure only through its status (node-addon-api's own
// calls throw); this turns a failed status into a JS error that names the call.
#pragma once

#include <string>
#include <napi.h>

namespace native_rules {

inline void CheckStatus(Napi::Env env, napi_status status, const char* call) {
  if (status == napi_ok) return;
  // Read before any other call: the next N-API call overwrites it.
  const napi_extended_error_info* last = nullptr;
  std::string reason = napi_get_last_error_info(env, &last) == napi_ok && last != nullptr && last->error_message != nullptr
                           ? last->error_message
                           : "status " + std::to_string(static_cast<int>(status));
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) throw Napi::Error::New(env);  // the JS exception already raised
  throw Napi::Error::New(env, std::string(call) + " failed: " + reason);
}

}  // namespace native_rules
