#!/bin/sh
# Installs Debian's headless-capable Chromium when it is missing (the HTML report's browser test needs it) and prints
# the path of the binary. Needs root (CI runs as root); with no apt-get it says why and fails.
set -eu
find_chromium() {
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}
if path=$(find_chromium); then echo "$path"; exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: chromium is not installed and apt-get is not available to install it" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "chromium.sh: installing chromium needs root (run as root or with sudo)" >&2
    exit 1
  fi
fi
echo "chromium.sh: installing chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update >&2
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core >&2
if path=$(find_chromium); then echo "$path"; exit 0; fi
echo "chromium.sh: apt-get finished but no chromium binary is on PATH" >&2
exit 1
