#pragma once

#include <napi.h>

namespace native_rules {

// idleThreadSchedule() -> true when the calling thread now runs under SCHED_IDLE
// (Linux: it gets the CPU only when no thread of a normal policy wants it, whatever
// their nice values), false where the platform has no such policy. Throws with
// the system's reason when the call is refused.
Napi::Value IdleThreadSchedule(const Napi::CallbackInfo& info);

}  // namespace native_rules
