{
  "targets": [
    {
      "target_name": "native_rules",
      "sources": [
        "src/addon.cc",
        "src/database.cc",
        "src/compile.cc",
        "src/scan.cc",
        "src/serialize.cc",
        "src/shared-registry.cc",
        "src/normalizer.cc",
        "src/normalizer-tables.cc",
        "src/hamming-lookup.cc",
        "src/text-grams.cc",
        "src/text-lookup.cc",
        "src/minhash.cc",
        "src/thread-schedule.cc"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")",
        "/usr/include/hs"
      ],
      "libraries": ["-lhs"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: a worker terminated in the middle
      # of a call cannot take a JS exception; without it node-addon-api throws a C++
      # exception out of the callback and the whole process aborts
      # (test/native-rules.test.ts, "survives worker.terminate()").
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fvisibility=hidden", "-fno-semantic-interposition", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-exceptions"],
      "conditions": [["target_arch=='x64'", {"cflags_cc": ["-mpopcnt"]}]]
    }
  ]
}
