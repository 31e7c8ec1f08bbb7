{
  "targets": [
    {
      "target_name": "kickstart",
      "sources": ["native/kickstart.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    },
    {
      "target_name": "ks-exec",
      "type": "executable",
      "sources": ["native/ks-exec.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "defines": ["_GNU_SOURCE"]
    }
  ]
}
