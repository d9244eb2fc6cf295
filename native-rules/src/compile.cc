#include "compile.h"

#include <cstring>
#include <string>
#include <vector>

#include <hs.h>

#include "database.h"

namespace native_rules {
namespace {

struct PatternSet {
  std::vector<std::string> expressions;
  std::vector<unsigned int> flags;
  std::vector<unsigned int> ids;
  std::vector<hs_expr_ext_t> exts;
  std::vector<bool> hasExt;
};

struct CompileFailure {
  bool failed = false;
  int patternIndex = -1;
  unsigned int patternId = 0;
  std::string message;
};

unsigned long long ReadUnsigned(Napi::Env env, Napi::Object obj, const char* key, size_t index) {
  Napi::Value v = obj.Get(key);
  if (!v.IsNumber()) {
    throw Napi::TypeError::New(env, "patterns[" + std::to_string(index) + "]." + key + " must be a non-negative integer");
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d != static_cast<double>(static_cast<unsigned long long>(d))) {
    throw Napi::TypeError::New(env, "patterns[" + std::to_string(index) + "]." + key + " must be a non-negative integer");
  }
  return static_cast<unsigned long long>(d);
}

void ReadExt(Napi::Env env, Napi::Object ext, size_t index, hs_expr_ext_t* out) {
  std::memset(out, 0, sizeof(*out));
  struct Field { const char* name; unsigned long long flag; };
  static const Field fields[] = {
      {"minOffset", HS_EXT_FLAG_MIN_OFFSET},       {"maxOffset", HS_EXT_FLAG_MAX_OFFSET},
      {"minLength", HS_EXT_FLAG_MIN_LENGTH},       {"editDistance", HS_EXT_FLAG_EDIT_DISTANCE},
      {"hammingDistance", HS_EXT_FLAG_HAMMING_DISTANCE},
  };
  for (const Field& f : fields) {
    if (!ext.Has(f.name) || ext.Get(f.name).IsUndefined()) continue;
    unsigned long long value = ReadUnsigned(env, ext, f.name, index);
    out->flags |= f.flag;
    switch (f.flag) {
      case HS_EXT_FLAG_MIN_OFFSET: out->min_offset = value; break;
      case HS_EXT_FLAG_MAX_OFFSET: out->max_offset = value; break;
      case HS_EXT_FLAG_MIN_LENGTH: out->min_length = value; break;
      case HS_EXT_FLAG_EDIT_DISTANCE: out->edit_distance = static_cast<unsigned>(value); break;
      case HS_EXT_FLAG_HAMMING_DISTANCE: out->hamming_distance = static_cast<unsigned>(value); break;
    }
  }
}

PatternSet ReadPatterns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    throw Napi::TypeError::New(env, "patterns must be an array");
  }
  Napi::Array list = info[0].As<Napi::Array>();
  if (list.Length() == 0) throw Napi::TypeError::New(env, "patterns must not be empty");
  PatternSet set;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value item = list.Get(i);
    if (!item.IsObject()) {
      throw Napi::TypeError::New(env, "patterns[" + std::to_string(i) + "] must be an object");
    }
    Napi::Object p = item.As<Napi::Object>();
    Napi::Value expr = p.Get("expression");
    if (!expr.IsString()) {
      throw Napi::TypeError::New(env, "patterns[" + std::to_string(i) + "].expression must be a string");
    }
    std::string text = expr.As<Napi::String>().Utf8Value();
    if (text.find('\0') != std::string::npos) {
      throw Napi::TypeError::New(env, "patterns[" + std::to_string(i) + "].expression must not contain NUL; write it as \\x00");
    }
    unsigned long long id = ReadUnsigned(env, p, "id", i);
    if (id > 0xFFFFFFFFull) throw Napi::RangeError::New(env, "patterns[" + std::to_string(i) + "].id must fit in 32 bits");
    unsigned int flags = static_cast<unsigned int>(ReadUnsigned(env, p, "flags", i));
    set.expressions.push_back(std::move(text));
    set.flags.push_back(flags);
    set.ids.push_back(static_cast<unsigned int>(id));
    hs_expr_ext_t ext;
    std::memset(&ext, 0, sizeof(ext));
    Napi::Value extValue = p.Get("ext");
    bool has = extValue.IsObject();
    if (has) ReadExt(env, extValue.As<Napi::Object>(), i, &ext);
    set.exts.push_back(ext);
    set.hasExt.push_back(has && ext.flags != 0);
  }
  return set;
}

hs_database_t* RunCompile(const PatternSet& set, CompileFailure* failure) {
  std::vector<const char*> exprs;
  std::vector<const hs_expr_ext_t*> exts;
  for (size_t i = 0; i < set.expressions.size(); i++) {
    exprs.push_back(set.expressions[i].c_str());
    exts.push_back(set.hasExt[i] ? &set.exts[i] : nullptr);
  }
  const unsigned int mode = HS_MODE_BLOCK;
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  hs_error_t rc = hs_compile_ext_multi(exprs.data(), set.flags.data(), set.ids.data(), exts.data(),
                                       static_cast<unsigned int>(exprs.size()), mode, nullptr, &db, &error);
  if (rc != HS_SUCCESS) {
    failure->failed = true;
    failure->patternIndex = error != nullptr ? error->expression : -1;
    failure->message = error != nullptr && error->message != nullptr ? error->message : "compilation failed";
    if (failure->patternIndex >= 0 && static_cast<size_t>(failure->patternIndex) < set.ids.size()) {
      failure->patternId = set.ids[failure->patternIndex];
    }
    if (error != nullptr) hs_free_compile_error(error);
    return nullptr;
  }
  return db;
}

Napi::Error ToJsError(Napi::Env env, const CompileFailure& failure, const PatternSet& set) {
  std::string text;
  if (failure.patternIndex >= 0) {
    text = "pattern id " + std::to_string(failure.patternId) + " (/" + set.expressions[failure.patternIndex] +
           "/) does not compile: " + failure.message;
  } else {
    text = "pattern set does not compile: " + failure.message;
  }
  Napi::Error error = Napi::Error::New(env, text);
  error.Set("code", Napi::String::New(env, "NATIVE_RULES_COMPILE"));
  error.Set("reason", Napi::String::New(env, failure.message));
  if (failure.patternIndex >= 0) {
    error.Set("patternIndex", Napi::Number::New(env, failure.patternIndex));
    error.Set("patternId", Napi::Number::New(env, failure.patternId));
  }
  return error;
}

SharedDatabase Own(hs_database_t* db) {
  return SharedDatabase(db, [](hs_database_t* d) { hs_free_database(d); });
}

class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, PatternSet set)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), set_(std::move(set)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { db_ = RunCompile(set_, &failure_); }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (failure_.failed) {
      deferred_.Reject(ToJsError(env, failure_, set_).Value());
      return;
    }
    try {
      deferred_.Resolve(Database::Wrap(env, Own(db_)));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  PatternSet set_;
  CompileFailure failure_;
  hs_database_t* db_ = nullptr;
};

}  // namespace

Napi::Value CompileSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PatternSet set = ReadPatterns(info);
  CompileFailure failure;
  hs_database_t* db = RunCompile(set, &failure);
  if (failure.failed) throw ToJsError(env, failure, set);
  return Database::Wrap(env, Own(db));
}

Napi::Value CompileAsync(const Napi::CallbackInfo& info) {
  PatternSet set = ReadPatterns(info);
  CompileWorker* worker = new CompileWorker(info.Env(), std::move(set));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace native_rules
