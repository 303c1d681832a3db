#!/usr/bin/env bash
# Release config check, called by .ci/run: the real GoReleaser validates
# .goreleaser.yaml and builds one snapshot target (this machine's OS and
# architecture) with the release's flags, and the binary must print the
# version, commit and date the release stamps. Publishing is the release
# workflow's job (.github/workflows/release.yml), never CI's.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v2.17.0
bin="$(go env GOPATH)/bin/goreleaser"
if ! "$bin" --version 2>/dev/null | grep -q "${version#v}"; then
  echo "installing GoReleaser $version"
  go install "github.com/goreleaser/goreleaser/v2@$version"
fi

# The release stamps the version itself; GOFLAGS from .ci/run would only
# add -buildvcs=false, which the release does not use.
export GOFLAGS=
start=$(date +%s)
"$bin" check
"$bin" build --snapshot --single-target --clean
echo "goreleaser check + snapshot build: $(( $(date +%s) - start )) s"

out=$(find dist -type f \( -name mpgate -o -name mpgate.exe \) | head -n 1)
if [ -z "$out" ]; then
  echo "the snapshot build left no mpgate binary under dist/"; exit 1
fi
got=$("$out" version)
echo "$got"
commit=$(git rev-parse HEAD)
if ! grep -q "^commit: $commit\$" <<<"$got" || ! grep -qE '^mpgate v[0-9]+\.[0-9]+\.[0-9]+-snapshot' <<<"$got" || grep -q '^date: unknown' <<<"$got"; then
  echo "the snapshot binary does not print the stamped version, commit $commit and date"; exit 1
fi
rm -rf dist
