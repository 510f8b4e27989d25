#!/usr/bin/env bash
# Runs the whole test suite, as CI does: installs what the tests need beyond Go if it is missing
# (xmllint and the official SEPA schema), then go test with the race detector. The tests also
# need PostgreSQL on 127.0.0.1:5432 and NATS with JetStream on 127.0.0.1:4222 (PACTUM_TEST_POSTGRES
# and PACTUM_TEST_NATS name others); they fail rather than skip without them.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "test: SEPA schema check tools (payout/export validates pain.001 files with them)" >&2
# xmllint from Debian's libxml2-utils, and the official ISO 20022 pain.001.001.03.xsd taken from
# Debian's tryton-modules-account-payment-sepa, which ships it among its test files. Only the
# .deb is fetched and unpacked (its Python dependencies are not installed); the schema goes to
# the git-ignored .cache/ and is checked against its known SHA-256.
pain001_xsd=.cache/iso20022/pain.001.001.03.xsd
pain001_sha256=ae2bbba02a6be0119a26f4afcb65ced067453cb1b81d38b26bcc569f19eca93e
have_xsd() { echo "$pain001_sha256  $pain001_xsd" | sha256sum --check --status 2>/dev/null; }
# Debian's iso-codes: the list of countries country_codes.go is generated from, which a test
# compares the table with.
have_iso_codes() { test -f /usr/share/iso-codes/json/iso_3166-1.json; }
if ! command -v xmllint >/dev/null 2>&1 || ! have_xsd || ! have_iso_codes; then
  apt-get update -qq
fi
if ! have_iso_codes; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iso-codes >/dev/null
fi
if ! command -v xmllint >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null
fi
if ! have_xsd; then
  deb_dir=$(mktemp -d)
  (cd "$deb_dir" && { apt-get download -qq -o APT::Sandbox::User=root tryton-modules-account-payment-sepa=6.0.4-2 ||
    apt-get download -qq -o APT::Sandbox::User=root tryton-modules-account-payment-sepa; })
  dpkg-deb -x "$deb_dir"/tryton-modules-account-payment-sepa_*.deb "$deb_dir/x"
  mkdir -p "$(dirname "$pain001_xsd")"
  cp "$deb_dir"/x/usr/lib/python3/dist-packages/trytond/modules/account_payment_sepa/tests/pain.001.001.03.xsd "$pain001_xsd"
  rm -rf "$deb_dir"
  echo "$pain001_sha256  $pain001_xsd" | sha256sum --check
fi
export PACTUM_PAIN001_XSD="$PWD/$pain001_xsd"

echo "test: browser and accessibility checker of the web UI's browser tests" >&2
# Debian's chromium and axe-core from npm, when missing (scripts/browser-deps.sh).
PACTUM_AXE_JS=$(bash scripts/browser-deps.sh)
export PACTUM_AXE_JS

go test -race -count=1 -timeout 20m ./...
