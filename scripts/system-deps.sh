#!/usr/bin/env bash
# Installs the system packages Comptoir's tests need, from Debian's archive:
#   chromium  the headless browser the end-to-end tests drive (never a browser download)
#   gettext   msgfmt/xgettext for the translation catalogues
# Extra commands named as arguments (e.g. `wrk` for the benchmarks) are installed too.
set -euo pipefail
missing=()
for extra in "$@"; do command -v "$extra" >/dev/null 2>&1 || missing+=("$extra"); done
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Please install: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "Installing ${missing[*]} from Debian's archive..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
