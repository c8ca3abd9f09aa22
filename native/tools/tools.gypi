{
  # Native traffic tools (mcr-gen, mcr-sink, mcr-inject): plain C++17 executables for
  # the tests, no Node headers, built next to the addon in build/Release/.
  "targets": [
    {
      "target_name": "mcr-gen",
      "type": "executable",
      "sources": ["gen.cc", "gen_send.cc", "media_payload.cc", "cli.cc", "../core/address.cc", "../core/rtp.cc", "../core/mpegts.cc"],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-D_FORTIFY_SOURCE=2"],
      "ldflags": ["-Wl,-z,relro,-z,now"]
    },
    {
      "target_name": "mcr-sink",
      "type": "executable",
      "sources": ["sink.cc", "sink_socket.cc", "sink_stats.cc", "seq_tracker.cc", "media_payload.cc", "cli.cc", "../core/address.cc", "../core/rtp.cc", "../core/mpegts.cc"],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-D_FORTIFY_SOURCE=2"],
      "ldflags": ["-Wl,-z,relro,-z,now"]
    },
    {
      "target_name": "mcr-inject",
      "type": "executable",
      "sources": ["inject.cc", "hex_frames.cc", "cli.cc", "../core/address.cc"],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-D_FORTIFY_SOURCE=2"],
      "ldflags": ["-Wl,-z,relro,-z,now"]
    }
  ]
}
