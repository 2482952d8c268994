#!/usr/bin/env bash
# Installs the Debian packages the platform needs, only those that are missing.
# WeasyPrint needs Pango and libharfbuzz-subset0 (without it PDF fonts are not
# subset and rendering is several times slower); certificates need the Noto
# fonts for Thai, Khmer, Lao and Myanmar names and the colour emoji some names
# carry; tests read PDFs with poppler and drive Debian's Chromium. Not root, or no apt: say what is missing and go on.
set -euo pipefail

packages=(
  python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  fonts-noto-core fonts-noto-color-emoji fonts-dejavu-core poppler-utils
  chromium chromium-driver
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing system packages (install them as root): ${missing[*]}" >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
