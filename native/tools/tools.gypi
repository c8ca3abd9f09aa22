{
  # Native traffic tools (mcr-gen, mcr-sink, mcr-inject): plain executables, no Node.
  "targets": []
}
