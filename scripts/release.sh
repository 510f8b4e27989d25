#!/usr/bin/env bash
# Builds the release binaries of one commit: pactum for linux/amd64, linux/arm64, darwin/arm64
# and windows/amd64, static (CGO_ENABLED=0, no C library needed), with VERSION stamped in, and a
# SHA256SUMS file for `sha256sum -c`.
#
# Reproducible: the same commit, VERSION and Go release give the same bytes, on any machine, in
# any directory, at any time. So the build runs in a fresh clone of the commit (nothing
# uncommitted gets in, and the go command, which looks for a .git directory, stamps the commit
# even when this runs in a git worktree), with -trimpath (no local paths), -buildvcs=true (the
# commit and its time, never the clock), and the Go settings pinned below; the Go release is in
# each binary (`go version -m FILE`), so whoever checks a release builds with that one.
#
# Usage: scripts/release.sh VERSION [DIR]
#   VERSION  what `pactum version` prints, v1.2.3 or v1.2.3-rc.1 (tag the commit with it)
#   DIR      where the binaries and SHA256SUMS go, an empty or new directory
#            (default dist/VERSION; dist/ is git-ignored)
# Environment: COMMIT, the commit to build (default HEAD); PLATFORMS, the GOOS/GOARCH pairs to
# build (default "linux/amd64 linux/arm64 darwin/arm64 windows/amd64").
set -euo pipefail

usage() { sed -n '/^# Usage:/,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; }
if [[ $# -lt 1 || $# -gt 2 || $1 == -h || $1 == --help ]]; then
	usage
	[[ $# -ge 1 && ($1 == -h || $1 == --help) ]] && exit 0
	exit 2
fi
version=$1
if ! [[ $version =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]]; then
	echo "release: VERSION must look like v1.2.3 or v1.2.3-rc.1, got $version" >&2
	exit 2
fi

cd "$(dirname "$0")/.."
out=${2:-dist/$version}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ -n $(ls -A "$out") ]]; then
	echo "release: $out is not empty; give a new directory" >&2
	exit 1
fi
commit=$(git rev-parse --verify "${COMMIT:-HEAD}^{commit}")
if [[ -z ${COMMIT:-} && -n $(git status --porcelain) ]]; then
	echo "release: the working tree has uncommitted changes; building $commit without them" >&2
fi

src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
# --shared borrows the objects of this repository instead of copying them. The go command
# derives the module version it stamps from the tags at and before the commit, so the clone has
# no tags but one, VERSION at the commit: the bytes then depend on the commit and VERSION alone,
# not on which tags this repository had when it ran, and `go version -m` names VERSION too
# (for v0 and v1: a v2 tag would need a /v2 module path, and leaves a pseudo-version there).
git clone --quiet --shared --no-checkout --no-tags "$(git rev-parse --path-format=absolute --git-common-dir)" "$src/pactum"
git -C "$src/pactum" checkout --quiet --detach "$commit"
git -C "$src/pactum" tag "$version" "$commit"

# Pinned so that nothing in the caller's environment or go env file changes the bytes:
# GOFLAGS replaces any the go env file sets (this machine's sets -buildvcs=false), and the
# architecture levels are Go's defaults, which reach the most machines.
export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOAMD64=v1 GOARM64=v8.0 GOEXPERIMENT=
ldflags="-s -w -X github.com/pactum/pactum/buildinfo.version=$version"
echo "release: pactum $version from $commit with $(go version)" >&2
for platform in ${PLATFORMS:-linux/amd64 linux/arm64 darwin/arm64 windows/amd64}; do
	goos=${platform%/*} goarch=${platform#*/}
	name=pactum-$version-$goos-$goarch
	[[ $goos == windows ]] && name+=.exe
	echo "release: $name" >&2
	(cd "$src/pactum" && GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=true -ldflags "$ldflags" -o "$out/$name" ./cmd/pactum)
done
(cd "$out" && LC_ALL=C sha256sum pactum-* >SHA256SUMS)
cat "$out/SHA256SUMS"
echo "release: $out" >&2
