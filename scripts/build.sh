#!/usr/bin/env bash
# Configures and builds sluice into build/ (the binary is build/sluice).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
