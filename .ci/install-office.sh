#!/bin/sh
# Install Debian's LibreOffice Impress (the PowerPoint deck test opens each deck and renders it)
# and poppler-utils (pdftoppm, pdftotext, pdffonts: the PDF read-back tests).
# Idempotent: does nothing when soffice and pdftotext are already there. Needs root.
set -eu

if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
    echo "install-office: soffice and pdftotext are already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-office: LibreOffice Impress or poppler-utils is missing and installing" >&2
    echo "  them needs root; run: sudo $0" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-office: apt-get not found; install LibreOffice Impress and poppler-utils" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libreoffice-impress poppler-utils

command -v soffice >/dev/null 2>&1 || { echo "install-office: soffice is missing" >&2; exit 1; }
echo "install-office: installed $(soffice --version 2>/dev/null | head -n 1)"
