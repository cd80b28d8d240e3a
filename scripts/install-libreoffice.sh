#!/usr/bin/env bash
# Installs Debian's LibreOffice Writer (headless) and poppler-utils for the test that renders the Word pack as
# a reviewer sees it (docx -> PDF -> pages), when missing. Needs root (or sudo) and apt-get; elsewhere it says
# what to do and the rendering test is skipped (it fails instead when CI is set).
set -euo pipefail
if command -v soffice >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-libreoffice: no apt-get here; install libreoffice-writer and poppler-utils to run the Word rendering test" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "install-libreoffice: not root; run 'sudo apt-get install libreoffice-writer-nogui poppler-utils'" >&2
    exit 0
  fi
fi
echo "install-libreoffice: installing libreoffice-writer-nogui and poppler-utils (Debian packages)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libreoffice-writer-nogui poppler-utils >/dev/null
