#!/bin/sh
# Builds the benchmarks and runs each one; every figure is printed next to
# the machine's own limit measured in the same run (docs/benchmarks.md).
# The latency benchmark runs Prometheus Alertmanager beside slagboom; it is
# installed here when missing (Debian package prometheus-alertmanager).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if ! command -v prometheus-alertmanager >/dev/null 2>&1 &&
  ! command -v alertmanager >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends prometheus-alertmanager >/dev/null; } ||
    echo "prometheus-alertmanager not installed: latency_bench runs without it"
fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 --target slagboom anpr_bench ingest_bench \
  backtest_bench latency_bench
"$BUILD"/bench/anpr_bench
echo
"$BUILD"/bench/ingest_bench "$@"
echo
"$BUILD"/bench/backtest_bench
echo
"$BUILD"/bench/latency_bench
