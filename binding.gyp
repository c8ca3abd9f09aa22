{
  # One addon, mcr_native. Warnings are errors: the data plane parses untrusted
  # packets, so every implicit conversion the compiler notices is worth a look.
  "includes": ["native/tools/tools.gypi"],
  "variables": {
    "mcr_sanitize%": "0"
  },
  "targets": [
    {
      "target_name": "mcr_native",
      "sources": ["native/addon.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-Werror"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror"],
      "conditions": [
        ["mcr_sanitize=='1'", {
          "cflags": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
