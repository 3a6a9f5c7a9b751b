#!/usr/bin/env bash
# Installs what the browser tests need, idempotently:
#   - Debian's Chromium and a CJK font (without it Chinese renders as boxes; the same font is the one
#     certificates and archives embed: scripts/install-fonts.sh);
#   - axe-core from the npm registry, pinned in package-lock.json (node_modules/ is gitignored).
# Playwright itself comes from requirements-dev.txt and drives /usr/bin/chromium; it never
# downloads a browser of its own (no `playwright install`).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)

scripts/install-fonts.sh

if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only when the packages are not installable from the current ones.
  if ! apt-cache show "${need_apt[@]}" >/dev/null 2>&1; then
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  fi
  if ! $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null; then
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
  echo "install-browser: installed ${need_apt[*]}"
fi

if command -v npm >/dev/null 2>&1; then
  if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --silent
    echo "install-browser: installed axe-core $(node -p 'require("axe-core/package.json").version')"
  fi
else
  echo "install-browser: npm not found; accessibility checks will be skipped" >&2
fi
