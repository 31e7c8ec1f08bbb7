{
  "targets": [
    {
      "target_name": "kickstart",
      "sources": ["native/kickstart.c", "native/spawn.c", "native/census.c", "native/ks-napi.c", "native/cdc.c", "native/chunk-hash.c", "native/sha256.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    },
    {
      "target_name": "ks-exec",
      "type": "executable",
      "sources": ["native/ks-exec.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      # Static: no dynamic loader or libc.so mapping before each job's fork
      # (~2 ms less per job start, and a smaller address space for exec to replace).
      "ldflags": ["-static"],
      "defines": ["_GNU_SOURCE"]
    }
  ]
}
