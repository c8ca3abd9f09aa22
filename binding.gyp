{
  # One addon, mcr_native, with liburing linked statically (no runtime dependency on
  # it). Warnings are errors: the data plane parses untrusted packets, so every
  # implicit conversion the compiler notices is worth a look.
  # `npx node-gyp rebuild --mcr_sanitize=1` builds with AddressSanitizer and UBSan.
  "includes": ["native/tools/tools.gypi"],
  "variables": {
    "mcr_sanitize%": "0"
  },
  "targets": [
    {
      "target_name": "mcr_native",
      "sources": [
        "native/addon.cc",
        "native/core/address.cc",
        "native/core/digest_window.cc",
        "native/core/flow_table.cc",
        "native/core/failover.cc",
        "native/core/frame_header.cc",
        "native/core/mpegts.cc",
        "native/core/packet.cc",
        "native/core/rtp.cc",
        "native/core/seamless_merge.cc",
        "native/core/packet_ipv6.cc",
        "native/dataplane/control/dataplane.cc",
        "native/dataplane/control/kernel_tables.cc",
        "native/dataplane/control/link_monitor.cc",
        "native/dataplane/control/rule_inputs.cc",
        "native/dataplane/counters.cc",
        "native/dataplane/egress/backend_syscalls.cc",
        "native/dataplane/egress/backend_uring.cc",
        "native/dataplane/egress/frame_channel.cc",
        "native/dataplane/egress/frame_output.cc",
        "native/dataplane/egress/frame_path.cc",
        "native/dataplane/egress/output.cc",
        "native/dataplane/egress/send_result.cc",
        "native/dataplane/egress/socket_output.cc",
        "native/dataplane/health/rule_health.cc",
        "native/dataplane/ingress/bpf_filter.cc",
        "native/dataplane/ingress/fanout_program.cc",
        "native/dataplane/ingress/ingress.cc",
        "native/dataplane/ingress/membership.cc",
        "native/dataplane/ingress/packet_ring.cc",
        "native/dataplane/policy/flow_policy.cc",
        "native/dataplane/socket_options.cc",
        "native/dataplane/sys_error.cc",
        "native/dataplane/worker.cc",
        "native/system/notify.cc"
      ],
      # The counter lists and the ABI version are written once, in JavaScript; this
      # turns them into C++ headers in the build directory before anything compiles.
      "actions": [
        {
          "action_name": "mcr_generated_headers",
          "inputs": ["native/gen-headers.mjs", "src/counter-list.js", "src/native/abi-version.js"],
          "outputs": [
            "<(SHARED_INTERMEDIATE_DIR)/mcr_generated/counter_list.h",
            "<(SHARED_INTERMEDIATE_DIR)/mcr_generated/abi_version.h"
          ],
          "action": ["node", "native/gen-headers.mjs", "<(SHARED_INTERMEDIATE_DIR)"]
        }
      ],
      "include_dirs": [
        "<(SHARED_INTERMEDIATE_DIR)",
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(pkg-config --variable=includedir liburing)"
      ],
      "libraries": ["<!(pkg-config --variable=libdir liburing)/liburing.a", "-lpthread"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-D_FORTIFY_SOURCE=2"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror"],
      # Hardening for code that reads untrusted packets: checked libc calls, and a
      # read-only GOT once loaded.
      "ldflags": ["-Wl,-z,relro,-z,now"],
      "conditions": [
        # gyp turns a numeric -D/--mcr_sanitize value into an int: compare with 1, not '1'.
        ["mcr_sanitize==1", {
          "cflags": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
