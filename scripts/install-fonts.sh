#!/usr/bin/env bash
# Installs the CJK font that certificates and archives embed (learning/pdf.py, settings.PDF_FONT_FILE):
# Debian's fonts-wqy-zenhei, /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc. Idempotent; used by
# scripts/install-browser.sh (development, CI) and by docs/deploy.md (production).
set -euo pipefail
if dpkg-query -W -f='${Status}' fonts-wqy-zenhei 2>/dev/null | grep -q "install ok installed"; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
apt_install() { $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends fonts-wqy-zenhei >/dev/null; }
apt-cache show fonts-wqy-zenhei >/dev/null 2>&1 || $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
apt_install || { $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && apt_install; }
echo "install-fonts: installed fonts-wqy-zenhei"
