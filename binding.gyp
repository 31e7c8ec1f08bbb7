{
  "targets": [
    {
      "target_name": "kickstart",
      "sources": ["native/kickstart.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    }
  ]
}
