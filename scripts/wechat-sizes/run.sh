#!/bin/sh
# Installs miniprogram-ci into a temporary directory (nothing from npm is kept
# in the repository) and runs wechat-sizes.js on the given project directory.
# Set WECHAT_SIZES_CI_DIR to reuse an existing install.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${WECHAT_SIZES_CI_DIR:-}" ]; then
  WECHAT_SIZES_CI_DIR=$(mktemp -d)
  trap 'rm -rf "$WECHAT_SIZES_CI_DIR"' EXIT
  (cd "$WECHAT_SIZES_CI_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund miniprogram-ci@2.1.42 >&2)
fi
export WECHAT_SIZES_CI_DIR
node "$here/wechat-sizes.js" "$@"
