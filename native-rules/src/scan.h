#pragma once

#include <napi.h>

namespace native_rules {

class Database;

// scan(data, maxMatches) -> { matches: Uint32Array of (id, from, to) triples, truncated }
Napi::Value ScanBlock(const Napi::CallbackInfo& info, Database& database);

}  // namespace native_rules
