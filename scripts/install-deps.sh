#!/usr/bin/env bash
# Installs the Debian 12 packages sluice builds and tests with. Run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  build-essential cmake pkg-config
  libuv1-dev node-llhttp rapidjson-dev libsqlite3-dev libsodium-dev libssl-dev
  libfmt-dev libspdlog-dev libcli11-dev googletest libgtest-dev
  libisal-dev libexpat1-dev
  curl
  # The SQS Query protocol's end-to-end tests drive Debian's own SDKs, which
  # predate SQS's JSON protocol: /usr/bin/python3's boto3 and /usr/bin/aws.
  python3-boto3 awscli
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
