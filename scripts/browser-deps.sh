#!/usr/bin/env bash
# Installs what the web UI's browser tests (cmd/pactum/e2e_web_test.go) need, if it is missing:
# Debian's chromium, which chromedp drives headless, and axe-core from npm (Deque's
# accessibility engine, MPL-2.0, used unmodified: the test injects axe.min.js into each page)
# at a pinned version into the git-ignored .cache/axe. Prints the path of axe.min.js.
set -euo pipefail
cd "$(dirname "$0")/.."

axe_version=4.14.1
axe_js=.cache/axe/node_modules/axe-core/axe.min.js

if ! command -v chromium >/dev/null 2>&1; then
  echo "browser-deps: installing chromium" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! head -c 40 "$axe_js" 2>/dev/null | grep -q "axe v$axe_version"; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  echo "browser-deps: installing axe-core $axe_version from npm" >&2
  mkdir -p .cache/axe
  npm install --prefix .cache/axe --no-audit --no-fund --silent "axe-core@$axe_version" >&2
fi
echo "$PWD/$axe_js"
