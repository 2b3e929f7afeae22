#!/bin/sh
# Builds the benchmarks and runs each one; every figure is printed next to
# the machine's own limit measured in the same run (docs/benchmarks.md).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 --target anpr_bench ingest_bench
"$BUILD"/bench/anpr_bench
echo
"$BUILD"/bench/ingest_bench "$@"
