#!/usr/bin/env bash
# Quick start: install what is needed, build, and serve the embedded default
# configuration on 127.0.0.1:4566 (data in ./sluice-data). Extra arguments go
# to `sluice serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec build/sluice serve "$@"
