#include "thread-schedule.h"

#include <cerrno>
#include <cstring>
#include <string>

#if defined(__linux__)
#include <sched.h>
#endif

namespace native_rules {

Napi::Value IdleThreadSchedule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__) && defined(SCHED_IDLE)
  sched_param param{};
  param.sched_priority = 0;
  // On Linux, pid 0 names the calling thread, not the whole process.
  if (sched_setscheduler(0, SCHED_IDLE, &param) != 0) {
    const int error = errno;
    Napi::Error::New(env, std::string("sched_setscheduler(SCHED_IDLE): ") + std::strerror(error)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Boolean::New(env, true);
#else
  return Napi::Boolean::New(env, false);
#endif
}

}  // namespace native_rules
