#!/usr/bin/env bash
# Installs, builds and runs every test: gtest units and the end-to-end suites
# (the real binary driven by boto3 and the aws CLI), through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 1200
