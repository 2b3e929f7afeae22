#!/usr/bin/env bash
# Sets up and builds slagboom (scripts/setup.sh), then runs every test
# through CTest on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd build
ctest -j2 --output-on-failure --timeout 600
