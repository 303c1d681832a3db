#!/bin/sh
# Runs the accuracy harness (main.go) on folders of WeChat mini-programs.
# Installs miniprogram-ci@2.1.42 into a temporary directory unless
# WECHAT_SIZES_CI_DIR names an install, and builds mpgate from this checkout
# unless MPGATE names a binary. Nothing from npm is kept in the repository.
#   scripts/accuracy/run.sh [-o table.md] [-json raw.json] <programs>...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${WECHAT_SIZES_CI_DIR:-}" ]; then
  WECHAT_SIZES_CI_DIR=$tmp/ci
  mkdir -p "$WECHAT_SIZES_CI_DIR"
  (cd "$WECHAT_SIZES_CI_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund miniprogram-ci@2.1.42 >&2)
fi
if [ -z "${MPGATE:-}" ]; then
  MPGATE=$tmp/mpgate
  (cd "$repo" && go build -o "$MPGATE" ./cmd/mpgate)
fi
(cd "$repo" && go build -o "$tmp/accuracy" ./scripts/accuracy)
"$tmp/accuracy" -ci "$WECHAT_SIZES_CI_DIR" -mpgate "$MPGATE" -sizes "$repo/scripts/wechat-sizes/wechat-sizes.js" "$@"
