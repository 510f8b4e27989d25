#!/usr/bin/env bash
# Refreshes the ASN database of the datacenter fraud rule (pactum serve --asn-db):
# installs the npm package @ip-location-db/asn (address ranges to autonomous
# systems, from RouteViews, the regional registries and DB-IP's ASN Lite; CC BY
# 4.0, which asks for credit to them: see docs/fraud.md) into a scratch
# directory and builds the MMDB from its CSV files with `pactum fraud
# asn-update`. The file is replaced only once the new one is complete; restart
# the server to read it. The list of hosting ASNs (--hosting-asns) is yours to
# keep: no package ships one (docs/fraud.md).
#
# Usage: scripts/asn-update.sh OUT.mmdb [VERSION]
# Environment: PACTUM_BIN (a pactum binary instead of building ./cmd/pactum).
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:?usage: scripts/asn-update.sh OUT.mmdb [VERSION]}
version=${2:-latest}
case $out in /*) ;; *) out=$PWD/$out ;; esac

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

npm install --prefix "$scratch" --no-save --no-audit --no-fund --loglevel=error "@ip-location-db/asn@$version" >&2
pkg=$scratch/node_modules/@ip-location-db/asn
echo "@ip-location-db/asn $(node -p "require('$pkg/package.json').version")" >&2

pactum=${PACTUM_BIN:-}
if [[ -z $pactum ]]; then
	go build -o "$scratch/pactum" ./cmd/pactum
	pactum=$scratch/pactum
fi
"$pactum" fraud asn-update --from "$pkg" --out "$out"
