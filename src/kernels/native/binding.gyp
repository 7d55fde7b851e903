{
  "targets": [{
    "target_name": "recur_native",
    "sources": ["csrc/addon.c", "csrc/gemm.c", "csrc/blas.c", "csrc/pool.c", "csrc/avx512.c", "csrc/avx2.c", "csrc/generic.c"],
    "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-function"],
    "cflags!": ["-O2", "-O0"],
    "libraries": ["-ldl", "-lm", "-lpthread"],
    "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=gnu11", "-ffp-contract=off"] }
  }]
}
