// The normalizer's rules as the TypeScript side hands them over, once per thread:
// src/normalize/normalize-text.ts assembles them from the module that owns each
// (named below). Read() checks their shapes and keeps a copy; it decides nothing.
#pragma once

#include <cstdint>
#include <vector>
#include <napi.h>

namespace native_rules {

struct NormalizerTables {
  // fold-table.ts: what each code point below fold.size() folds to (a code point,
  // foldDeleted or foldMultiple); the parts of each multiple fold (`cp, count,
  // part...`); folds above the direct table (`cp, folded` pairs); ranges above it
  // that are dropped (`first, last` pairs).
  std::vector<int32_t> fold;
  int32_t foldDeleted = 0;
  int32_t foldMultiple = 0;
  std::vector<uint32_t> multi;
  std::vector<uint32_t> upper;
  std::vector<uint32_t> ignoredAbove;
  // char-class.ts: the class of each code point below classes.size() (as many as
  // fold); classes above it (`first, last, class` triples), otherClass elsewhere;
  // the classes that make word and CJK runs (any other makes separator runs).
  std::vector<uint8_t> classes;
  std::vector<uint32_t> classesAbove;
  uint8_t otherClass = 0;
  uint8_t wordClass = 0;
  uint8_t cjkClass = 0;
  // separator-table.ts: 1 for a soft separator below soft.size(); the character a
  // stretch of soft ones becomes; the longest separator run between CJK characters
  // that is dropped.
  std::vector<uint8_t> soft;
  uint32_t space = 0;
  uint32_t maxInsideRun = 0;
  // digit-letters.ts, each indexed by an ASCII code point: the letter it is read as
  // in a word that mixes letters and digits (0: kept), and what counts as a letter
  // and as a digit for "mixes".
  std::vector<uint8_t> digitLetters;
  std::vector<uint8_t> letters;
  std::vector<uint8_t> digits;

  static NormalizerTables Read(Napi::Env env, const Napi::Value& value);
  /** The tables in the shape Read() takes, so that a caller can see what was given. */
  Napi::Object ToObject(Napi::Env env) const;
};

}  // namespace native_rules
