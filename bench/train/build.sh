#!/usr/bin/env bash
# Builds the training benchmark's wasm module: bench/native/bench_train_speed.cpp (the same file
# the native benchmark runs) linked against build/wasm's libap_core.a (the SIMD128 core the page's
# model_core module is made of, -O3), as an ES6 factory with the tb_* functions exported. Output:
# build/train-bench/train_bench.{mjs,wasm}, loaded by bench/train/engine.mjs in Node and Chromium.
# Run from the repository root with NODE_PATH=/usr/share/nodejs (scripts/bench does both).
set -euo pipefail
out=build/train-bench
mkdir -p "$out"
cmake -S . -B build/wasm >/dev/null
cmake --build build/wasm -j "${JOBS:-2}" --target ap_core
exports='_tb_create,_tb_step,_tb_grad_norm,_tb_param_count,_tb_params,_tb_layout_json,_tb_next_batch,_tb_batch_ids,_tb_batch_targets,_tb_batch_mask,_tb_profile,_malloc,_free'
# The core's flags (CMakeLists.txt: ap_core in wasm is -O3 -msimd128, AP_SIMD=1); -ffp-contract=off
# as on src/train. ENVIRONMENT=web,worker: engine.mjs hands the factory the wasm bytes in Node too.
em++ -std=c++17 -O3 -msimd128 -ffp-contract=off -DAP_SIMD=1 -DEIGEN_NO_DEBUG -DAP_VERSION='"bench"' \
  -Isrc -I/usr/include/eigen3 bench/native/bench_train_speed.cpp build/wasm/libap_core.a \
  -o "$out/train_bench.mjs" \
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createTrainBench -sENVIRONMENT=web,worker \
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=32MB -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=1MB \
  -sFILESYSTEM=0 -sEXPORTED_FUNCTIONS="$exports" -sEXPORTED_RUNTIME_METHODS=[] \
  -sINCOMING_MODULE_JS_API=[wasmBinary,locateFile,print,printErr]
echo "$out/train_bench.mjs"
