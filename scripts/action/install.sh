#!/usr/bin/env bash
# Installs mpgate for the GitHub Action (action.yml): the release binary of
# the runner's OS and architecture, verified against the release's
# checksums.txt and kept in the runner's tool cache; or, when no release
# exists or one is not wanted, a build from the action's own source.
#
#   install.sh           download (or say that a source build is needed)
#   install.sh build     build from MPGATE_SOURCE_DIR with the go on PATH
#
# It never changes the job's PATH: the binary's absolute path goes to the
# step output "path" ($GITHUB_OUTPUT) and to stdout's last line.
#
# Environment (the action sets these; tests override the URLs):
#   MPGATE_VERSION            vX.Y.Z, a major or minor tag (v1, v1.2), or any
#                             other ref (a branch, a commit: no release, source)
#   MPGATE_BUILD_FROM_SOURCE  auto (download; build when there is no release),
#                             true (always build), false (never build)
#   MPGATE_REPOSITORY         owner/name of the releases (mpgate/mpgate)
#   MPGATE_RELEASES_URL       where assets are: $URL/<tag>/<asset>
#                             (default https://github.com/$MPGATE_REPOSITORY/releases/download)
#   MPGATE_API_URL            the REST API for resolving v1 to v1.x.y (default https://api.github.com)
#   MPGATE_TOKEN              token for that API call (rate limits); sent only
#                             when MPGATE_API_URL is the runner's $GITHUB_API_URL
#   MPGATE_SOURCE_DIR         the action's checkout (build mode)
#   RUNNER_OS, RUNNER_ARCH    the runner (uname when unset)
#   RUNNER_TOOL_CACHE         the tool cache; binaries go to mpgate/<X.Y.Z>/<arch>
#   RUNNER_TEMP               downloads and source builds
#   GITHUB_OUTPUT             step outputs: path, version, source, has-go, go-sum
set -euo pipefail

repo="${MPGATE_REPOSITORY:-mpgate/mpgate}"
# The releases are on github.com, also for a runner of GitHub Enterprise
# Server (its actions come from github.com through GitHub Connect).
releases="${MPGATE_RELEASES_URL:-https://github.com/$repo/releases/download}"
api="${MPGATE_API_URL:-https://api.github.com}"
mode="${MPGATE_BUILD_FROM_SOURCE:-auto}"
version="${MPGATE_VERSION:-}"
# github.action_ref can be empty inside a composite action
# (actions/runner#2473); the action's directory, _actions/OWNER/NAME/REF,
# names the ref too.
if [ -z "$version" ] && [ -n "${MPGATE_SOURCE_DIR:-}" ] && [[ "$MPGATE_SOURCE_DIR" == */_actions/*/*/* ]]; then
	version="$(basename "$MPGATE_SOURCE_DIR")"
fi
tmp_root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"

die() {
	# A workflow command makes the message the step's annotation.
	echo "::error title=mpgate install::$*" >&2
	exit 1
}

output() {
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		echo "$1=$2" >>"$GITHUB_OUTPUT"
	fi
}

case "$mode" in
auto | true | false) ;;
*) die "build-from-source is '$mode'; want auto, true or false" ;;
esac

# The runner's OS and architecture in GoReleaser's words.
runner_os="${RUNNER_OS:-$(uname -s)}"
case "$runner_os" in
Linux | linux) os=linux ;;
macOS | Darwin | darwin) os=darwin ;;
Windows | windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
*) die "runner OS '$runner_os' has no mpgate release; set build-from-source: true" ;;
esac
runner_arch="${RUNNER_ARCH:-$(uname -m)}"
case "$runner_arch" in
X64 | x86_64 | amd64) arch=amd64 ;;
ARM64 | aarch64 | arm64) arch=arm64 ;;
*) die "runner architecture '$runner_arch' has no mpgate release; set build-from-source: true" ;;
esac
exe=mpgate
if [ "$os" = windows ]; then exe=mpgate.exe; fi

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

# has_go says whether a go command is there for a source build (a runner
# without one gets actions/setup-go from the action).
has_go() {
	if command -v go >/dev/null 2>&1; then echo true; else echo false; fi
}

# need_source ends the download mode: the action builds next.
need_source() {
	echo "mpgate: $1; building it from the action's source"
	output source true
	output has-go "$(has_go)"
	if [ -n "${MPGATE_SOURCE_DIR:-}" ] && [ -f "$MPGATE_SOURCE_DIR/go.sum" ]; then
		output go-sum "$(sha256 "$MPGATE_SOURCE_DIR/go.sum")"
	fi
	exit 0
}

if [ "${1:-}" = build ]; then
	src="${MPGATE_SOURCE_DIR:-}"
	[ -n "$src" ] || die "MPGATE_SOURCE_DIR (the action's source) is not set"
	command -v go >/dev/null 2>&1 || die "no go command to build mpgate from source"
	out="$tmp_root/mpgate-source/$os-$arch"
	mkdir -p "$out"
	echo "mpgate: building $src/cmd/mpgate with $(go version)"
	go build -C "$src" -o "$out/$exe" ./cmd/mpgate
	output path "$out/$exe"
	output source true
	echo "$out/$exe"
	exit 0
fi

if [ "$mode" = true ]; then
	need_source "build-from-source is true"
fi

fetch() { # fetch URL FILE: 0 when fetched, 4 when not found, 1 otherwise
	local code
	code=$(curl --silent --show-error --location --retry 3 --connect-timeout 20 \
		--output "$2" --write-out '%{http_code}' "$1") || return 1
	case "$code" in
	200) return 0 ;;
	404) return 4 ;;
	*)
		echo "mpgate: GET $1: HTTP $code" >&2
		return 1
		;;
	esac
}

no_release() {
	if [ "$mode" = false ]; then
		die "$1, and build-from-source is false; name a released version (version: v1.2.3) or set build-from-source: auto"
	fi
	need_source "$1"
}

# A full version names its release; a major or minor tag (v1, v1.2) is the
# newest release under it; anything else (a branch, a commit) has none.
if [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
	tag="$version"
elif [[ "$version" =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
	list="$tmp_root/mpgate-releases.json"
	auth=()
	# The job's token is for its own GitHub: never sent to another.
	if [ -n "${MPGATE_TOKEN:-}" ] && [ "${api%/}" = "${GITHUB_API_URL%/}" ]; then
		auth=(--header "Authorization: Bearer $MPGATE_TOKEN")
	fi
	code=$(curl --silent --show-error --location --retry 3 --connect-timeout 20 ${auth[@]+"${auth[@]}"} \
		--header 'Accept: application/vnd.github+json' --output "$list" --write-out '%{http_code}' \
		"$api/repos/$repo/releases?per_page=100") || die "cannot list the releases of $repo at $api"
	[ "$code" = 200 ] || die "listing the releases of $repo at $api: HTTP $code"
	# Releases without a hyphen (no prerelease) under the prefix, newest first.
	tag=$(grep -o '"tag_name": *"[^"]*"' "$list" | sed 's/.*"\([^"]*\)"$/\1/' |
		grep -E "^${version//./\\.}\.[0-9]+(\.[0-9]+)?$" | sort -V | tail -n 1 || true)
	rm -f "$list"
	if [ -z "$tag" ]; then
		no_release "$repo has no release under $version"
	fi
	echo "mpgate: $version is $tag"
else
	no_release "'${version:-(none)}' is not a released version"
fi

number="${tag#v}"
ext=tar.gz
if [ "$os" = windows ]; then ext=zip; fi
asset="mpgate_${number}_${os}_${arch}.${ext}"

# The tool cache's layout is actions/tool-cache's: the tool in
# <name>/<version>/<arch>, complete once <arch>.complete exists.
cache="${RUNNER_TOOL_CACHE:-$tmp_root/mpgate-tools}/mpgate/$number/$arch"
if [ -f "$cache.complete" ] && [ -x "$cache/$exe" ]; then
	echo "mpgate: $tag from the tool cache"
	output path "$cache/$exe"
	output version "$tag"
	output source false
	echo "$cache/$exe"
	exit 0
fi

work=$(mktemp -d "$tmp_root/mpgate-download.XXXXXX")
trap 'rm -rf "$work"' EXIT
set +e
fetch "$releases/$tag/checksums.txt" "$work/checksums.txt"
rc=$?
set -e
if [ "$rc" = 4 ]; then
	no_release "$repo has no release $tag ($releases/$tag/checksums.txt: not found)"
fi
[ "$rc" = 0 ] || die "cannot download $releases/$tag/checksums.txt"
set +e
fetch "$releases/$tag/$asset" "$work/$asset"
rc=$?
set -e
if [ "$rc" = 4 ]; then
	no_release "release $tag has no $asset"
fi
[ "$rc" = 0 ] || die "cannot download $releases/$tag/$asset"

want=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$work/checksums.txt")
[ -n "$want" ] || die "checksums.txt of $tag has no line for $asset; refusing an unverified binary"
got=$(sha256 "$work/$asset")
if [ "$got" != "$want" ]; then
	die "$asset of $tag does not match checksums.txt (want sha256 $want, got $got); refusing to install it. Retry; if it persists, report it to the mpgate maintainers"
fi

mkdir -p "$work/x"
if [ "$ext" = zip ]; then
	if command -v unzip >/dev/null 2>&1; then
		unzip -q "$work/$asset" -d "$work/x"
	else
		7z x -y -o"$work/x" "$work/$asset" >/dev/null
	fi
else
	tar -xzf "$work/$asset" -C "$work/x"
fi
[ -f "$work/x/$exe" ] || die "$asset has no $exe at its root"

rm -rf "$cache" "$cache.complete"
mkdir -p "$cache"
mv "$work/x/$exe" "$cache/$exe"
chmod +x "$cache/$exe"
touch "$cache.complete"
echo "mpgate: $tag installed in $cache (sha256 $got)"
output path "$cache/$exe"
output version "$tag"
output source false
echo "$cache/$exe"
