#pragma once

#include <napi.h>

namespace native_rules {

// idleThreadSchedule() -> true when the calling thread now runs under SCHED_IDLE
// (Linux: it weighs less than a thread at nice 19, and a waking thread of the
// normal policy always takes its core), false where the platform has no such
// policy. Throws with the system's reason when the call is refused.
Napi::Value IdleThreadSchedule(const Napi::CallbackInfo& info);

}  // namespace native_rules
