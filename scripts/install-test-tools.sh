#!/usr/bin/env bash
# Installs the Debian packages some tests need, when their commands are missing: Chromium and ChromeDriver (the
# browser test of the HTML reports), LibreOffice Writer (headless) and poppler-utils (the test that renders the
# Word pack as a reviewer sees it: docx -> PDF -> pages). Needs root (or sudo) and apt-get; elsewhere it says what
# to do and those tests are skipped (they fail instead when CI is set, as .ci/run sets it).
set -euo pipefail
# command that must exist -> Debian package that brings it
NEEDED=("chromium:chromium" "chromedriver:chromium-driver" "soffice:libreoffice-writer-nogui" "pdfinfo:poppler-utils")
MISSING=()
for pair in "${NEEDED[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || MISSING+=("${pair#*:}")
done
[ ${#MISSING[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: no apt-get here; install ${MISSING[*]} to run the browser and Word rendering tests" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "install-test-tools: not root; run 'sudo apt-get install ${MISSING[*]}'" >&2
    exit 0
  fi
fi
echo "install-test-tools: installing ${MISSING[*]} (Debian packages)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
