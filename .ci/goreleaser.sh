#!/usr/bin/env bash
# Release config check, called by .ci/run: the real GoReleaser validates
# .goreleaser.yaml (strictly: an unknown key fails). Publishing is the
# release workflow's job (.github/workflows/release.yml), never CI's.
#
# It also builds one snapshot target (this machine's OS and architecture)
# with the release's flags and checks that the binary prints the version,
# commit and date the release stamps (MPGATE_CI_SNAPSHOT=0 skips it).
# Measured on the 2-core machine: 13 s with a warm build cache, 557 s cold
# under a load average of 35 (-trimpath shares nothing with `go test`'s
# builds); `goreleaser check` takes about 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v2.17.0
bin="$(go env GOPATH)/bin/goreleaser"
if ! "$bin" --version 2>/dev/null | grep -q "${version#v}"; then
  echo "installing GoReleaser $version"
  go install "github.com/goreleaser/goreleaser/v2@$version"
fi

"$bin" check

if [ "${MPGATE_CI_SNAPSHOT:-1}" != 1 ]; then
  echo "goreleaser: config valid (snapshot build skipped: MPGATE_CI_SNAPSHOT=${MPGATE_CI_SNAPSHOT})"
  exit 0
fi

# The release stamps the version itself; GOFLAGS from .ci/run would only
# add -buildvcs=false.
export GOFLAGS=
# GoReleaser reads no commit at all (it stamps "none") from a repository
# without a remote, such as a local worktree: name one for this run only.
if [ -z "$(git remote)" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/mpgate/mpgate.git
fi
start=$(date +%s)
"$bin" build --snapshot --single-target --clean
echo "goreleaser snapshot build: $(( $(date +%s) - start )) s"

out=$(find dist -type f \( -name mpgate -o -name mpgate.exe \) | head -n 1)
if [ -z "$out" ]; then
  echo "the snapshot build left no mpgate binary under dist/"; exit 1
fi
got=$("$out" version)
echo "$got"
commit=$(git rev-parse HEAD)
if ! grep -q "^commit: $commit\$" <<<"$got" || ! grep -qE '^mpgate v[0-9]+\.[0-9]+\.[0-9]+-snapshot' <<<"$got" || grep -qE '^date: (unknown|0001-)' <<<"$got"; then
  echo "the snapshot binary does not print the stamped version, commit $commit and date"; exit 1
fi
rm -rf dist
