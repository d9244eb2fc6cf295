#include "normalizer-tables.h"

#include <cmath>
#include <cstring>
#include <string>

namespace native_rules {
namespace {

constexpr uint32_t kCodePointLimit = 0x110000;
constexpr size_t kAscii = 0x80;
constexpr size_t kBmp = 0x10000;

Napi::Object ReadObject(Napi::Env env, const Napi::Object& parent, const char* key, const std::string& name) {
  Napi::Value value = parent.Get(key);
  if (!value.IsObject()) throw Napi::TypeError::New(env, name + " must be an object");
  return value.As<Napi::Object>();
}

template <typename T>
std::vector<T> ReadArray(Napi::Env env, const Napi::Object& parent, const char* key, const std::string& prefix, napi_typedarray_type type) {
  Napi::Value value = parent.Get(key);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(env, prefix + key + " has the wrong array type");
  }
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  std::vector<T> out(array.ElementLength());
  std::memcpy(out.data(), static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset(), array.ByteLength());
  return out;
}

double ReadInteger(Napi::Env env, const Napi::Object& parent, const char* key, const std::string& prefix, double min, double max) {
  Napi::Value value = parent.Get(key);
  double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : NAN;
  if (!(number >= min && number <= max) || std::floor(number) != number) {
    throw Napi::RangeError::New(env, prefix + key + " must be an integer from " + std::to_string(static_cast<int64_t>(min)) + " to " +
                                         std::to_string(static_cast<int64_t>(max)));
  }
  return number;
}

void Require(Napi::Env env, bool holds, const char* message) {
  if (!holds) throw Napi::RangeError::New(env, message);
}

template <typename T>
Napi::Value Copy(Napi::Env env, const std::vector<T>& values) {
  Napi::TypedArrayOf<T> array = Napi::TypedArrayOf<T>::New(env, values.size());
  if (!values.empty()) std::memcpy(array.Data(), values.data(), values.size() * sizeof(T));
  return array;
}

}  // namespace

NormalizerTables NormalizerTables::Read(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject()) throw Napi::TypeError::New(env, "tables must be an object");
  Napi::Object tables = value.As<Napi::Object>();
  NormalizerTables out;

  Napi::Object fold = ReadObject(env, tables, "fold", "tables.fold");
  out.fold = ReadArray<int32_t>(env, fold, "direct", "tables.fold.", napi_int32_array);
  out.foldDeleted = static_cast<int32_t>(ReadInteger(env, fold, "deleted", "tables.fold.", INT32_MIN, -1));
  out.foldMultiple = static_cast<int32_t>(ReadInteger(env, fold, "multiple", "tables.fold.", INT32_MIN, -1));
  Require(env, out.foldDeleted != out.foldMultiple, "tables.fold.deleted and tables.fold.multiple must differ");
  out.multi = ReadArray<uint32_t>(env, fold, "multi", "tables.fold.", napi_uint32_array);
  for (size_t i = 0; i < out.multi.size(); i += 2 + out.multi[i + 1]) {
    Require(env, i + 1 < out.multi.size() && i + 2 + out.multi[i + 1] <= out.multi.size(), "tables.fold.multi is truncated");
  }
  out.upper = ReadArray<uint32_t>(env, fold, "upper", "tables.fold.", napi_uint32_array);
  Require(env, out.upper.size() % 2 == 0, "tables.fold.upper must hold (cp, folded) pairs");
  out.ignoredAbove = ReadArray<uint32_t>(env, fold, "ignoredAbove", "tables.fold.", napi_uint32_array);
  Require(env, out.ignoredAbove.size() % 2 == 0, "tables.fold.ignoredAbove must hold (first, last) pairs");
  // The BMP at least: the fold looks a UTF-16 code unit up without a bounds check.
  Require(env, out.fold.size() >= kBmp && out.fold.size() <= kCodePointLimit, "tables.fold.direct must cover the BMP and stay within Unicode");

  Napi::Object classes = ReadObject(env, tables, "classes", "tables.classes");
  out.classes = ReadArray<uint8_t>(env, classes, "direct", "tables.classes.", napi_uint8_array);
  Require(env, out.classes.size() == out.fold.size(), "tables.classes.direct must cover the code points tables.fold.direct does");
  out.classesAbove = ReadArray<uint32_t>(env, classes, "above", "tables.classes.", napi_uint32_array);
  Require(env, out.classesAbove.size() % 3 == 0, "tables.classes.above must hold (first, last, class) triples");
  out.otherClass = static_cast<uint8_t>(ReadInteger(env, classes, "otherwise", "tables.classes.", 0, 255));
  out.wordClass = static_cast<uint8_t>(ReadInteger(env, classes, "word", "tables.classes.", 0, 255));
  out.cjkClass = static_cast<uint8_t>(ReadInteger(env, classes, "cjk", "tables.classes.", 0, 255));
  Require(env, out.wordClass != out.cjkClass, "tables.classes.word and tables.classes.cjk must differ");

  Napi::Object separators = ReadObject(env, tables, "separators", "tables.separators");
  out.soft = ReadArray<uint8_t>(env, separators, "soft", "tables.separators.", napi_uint8_array);
  Require(env, out.soft.size() <= kCodePointLimit, "tables.separators.soft must stay within Unicode");
  out.space = static_cast<uint32_t>(ReadInteger(env, separators, "space", "tables.separators.", 0, kCodePointLimit - 1));
  out.maxInsideRun = static_cast<uint32_t>(ReadInteger(env, separators, "maxInsideRun", "tables.separators.", 0, UINT32_MAX));

  Napi::Object digits = ReadObject(env, tables, "digits", "tables.digits");
  out.digitLetters = ReadArray<uint8_t>(env, digits, "asLetter", "tables.digits.", napi_uint8_array);
  out.letters = ReadArray<uint8_t>(env, digits, "letters", "tables.digits.", napi_uint8_array);
  out.digits = ReadArray<uint8_t>(env, digits, "digits", "tables.digits.", napi_uint8_array);
  Require(env, out.digitLetters.size() == kAscii && out.letters.size() == kAscii && out.digits.size() == kAscii,
          "tables.digits.asLetter, .letters and .digits must have one entry per ASCII code point");
  // A digit read as a letter is rewritten in place (normalizer.cc): it must stay one byte.
  for (uint8_t letter : out.digitLetters) Require(env, letter < kAscii, "tables.digits.asLetter must read digits as ASCII letters");
  return out;
}

Napi::Object NormalizerTables::ToObject(Napi::Env env) const {
  Napi::Object foldOut = Napi::Object::New(env);
  foldOut.Set("direct", Copy(env, fold));
  foldOut.Set("deleted", foldDeleted);
  foldOut.Set("multiple", foldMultiple);
  foldOut.Set("multi", Copy(env, multi));
  foldOut.Set("upper", Copy(env, upper));
  foldOut.Set("ignoredAbove", Copy(env, ignoredAbove));
  Napi::Object classesOut = Napi::Object::New(env);
  classesOut.Set("direct", Copy(env, classes));
  classesOut.Set("above", Copy(env, classesAbove));
  classesOut.Set("otherwise", otherClass);
  classesOut.Set("word", wordClass);
  classesOut.Set("cjk", cjkClass);
  Napi::Object separatorsOut = Napi::Object::New(env);
  separatorsOut.Set("soft", Copy(env, soft));
  separatorsOut.Set("space", space);
  separatorsOut.Set("maxInsideRun", maxInsideRun);
  Napi::Object digitsOut = Napi::Object::New(env);
  digitsOut.Set("asLetter", Copy(env, digitLetters));
  digitsOut.Set("letters", Copy(env, letters));
  digitsOut.Set("digits", Copy(env, digits));
  Napi::Object out = Napi::Object::New(env);
  out.Set("fold", foldOut);
  out.Set("classes", classesOut);
  out.Set("separators", separatorsOut);
  out.Set("digits", digitsOut);
  return out;
}

}  // namespace native_rules
