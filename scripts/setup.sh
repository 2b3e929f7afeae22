#!/usr/bin/env bash
# Installs the Debian packages slagboom builds and tests with (only those
# missing), then configures and builds it in build/ with CMake.
# Used by demo.sh and test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git ca-certificates curl python3
  libzmq3-dev cppzmq-dev libboost-dev libboost-system-dev libsqlite3-dev
  libcpp-httplib-dev libyaml-cpp-dev catch2 nlohmann-json3-dev libspdlog-dev
  libfmt-dev libcli11-dev libhowardhinnant-date-dev tzdata libssl-dev
  libcsv-dev libxml2-utils libcurl4-openssl-dev python3-aiosmtpd libabsl-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2
