#!/bin/sh
# Install Debian's TeX Live (pdflatex, Beamer, TikZ), poppler-utils and mupdf-tools (font
# sizes read back from the Beamer PDF) for the tests that compile TikZ/Beamer output and
# read PDFs back. Idempotent; needs root.
set -eu

if command -v pdflatex >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
        && command -v mutool >/dev/null 2>&1; then
    echo "install-tex: pdflatex, pdftoppm and mutool are already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-tex: pdflatex is missing; install TeX Live (texlive-latex-base," >&2
    echo "  texlive-latex-extra, texlive-pictures), poppler-utils and mupdf-tools yourself" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends texlive-latex-base texlive-latex-extra \
    texlive-pictures poppler-utils mupdf-tools
echo "install-tex: installed $(pdflatex --version | head -n 1)"
