#include "shared-registry.h"

namespace native_rules {
namespace {

uint64_t Fnv1a64(const char* bytes, size_t length) {
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < length; i++) {
    hash ^= static_cast<unsigned char>(bytes[i]);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string DescribeLoadError(hs_error_t rc) {
  switch (rc) {
    case HS_DB_VERSION_ERROR: return "it was built by another Hyperscan version";
    case HS_DB_PLATFORM_ERROR: return "it was built for another CPU platform";
    case HS_DB_MODE_ERROR: return "it was built for another scanning mode";
    case HS_INVALID: return "the bytes are not a serialized Hyperscan database";
    case HS_NOMEM: return "out of memory";
    default: return "hs_deserialize_database failed with code " + std::to_string(rc);
  }
}

}  // namespace

SharedRegistry& SharedRegistry::Instance() {
  static SharedRegistry* registry = new SharedRegistry();  // never destroyed: worker threads may outlive static teardown
  return *registry;
}

SharedDatabase SharedRegistry::Load(const char* bytes, size_t length, const std::string& name, std::string* failure) {
  Key key{name.empty() ? "fnv:" + std::to_string(Fnv1a64(bytes, length)) : "key:" + name, length};
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = entries_.find(key);
  if (found != entries_.end()) {
    if (SharedDatabase live = found->second.lock()) return live;
  }
  hs_database_t* raw = nullptr;
  hs_error_t rc = hs_deserialize_database(bytes, length, &raw);
  if (rc != HS_SUCCESS) {
    *failure = DescribeLoadError(rc);
    return nullptr;
  }
  SharedDatabase db(raw, [](hs_database_t* d) { hs_free_database(d); });
  entries_[key] = db;
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.expired() ? entries_.erase(it) : std::next(it);
  }
  return db;
}

size_t SharedRegistry::LiveCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t live = 0;
  for (auto& entry : entries_) live += entry.second.expired() ? 0 : 1;
  return live;
}

}  // namespace native_rules
