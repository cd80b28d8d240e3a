#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser test of the HTML reports, when missing.
# Needs root (or sudo) and apt-get; elsewhere it says what to do and the browser test is skipped.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; install chromium and chromedriver to run the browser test" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "install-browser: not root; run 'sudo apt-get install chromium chromium-driver' for the browser test" >&2
    exit 0
  fi
fi
echo "install-browser: installing chromium and chromium-driver (Debian packages)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
