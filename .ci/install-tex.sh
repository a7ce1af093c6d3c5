#!/bin/sh
# TeX Live (pdflatex, Beamer, TikZ), poppler-utils and mupdf-tools (font sizes read back from
# the Beamer PDF) for the tests that compile TikZ/Beamer output and read PDFs back.
exec sh "$(dirname "$0")/apt-install.sh" install-tex "pdflatex pdftoppm mutool" \
    texlive-latex-base texlive-latex-extra texlive-pictures poppler-utils mupdf-tools
