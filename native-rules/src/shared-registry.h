// One hs_database_t per distinct serialized database in the whole process.
// Hyperscan databases are read-only while scanning, so every worker thread can
// scan the same one with its own scratch; without this, each of N workers would
// hold its own copy of a pack that can weigh hundreds of megabytes.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <hs.h>

#include "database.h"

namespace native_rules {

class SharedRegistry {
 public:
  static SharedRegistry& Instance();
  // `key` names the database's content (the pack's database key): hashing a
  // database of hundreds of megabytes on every load would cost each worker a
  // noticeable pause. Empty: the bytes are hashed.
  SharedDatabase Load(const char* bytes, size_t length, const std::string& key, std::string* failure);
  size_t LiveCount();

 private:
  using Key = std::pair<std::string, size_t>;
  std::mutex mutex_;
  std::map<Key, std::weak_ptr<hs_database_t>> entries_;
};

}  // namespace native_rules
