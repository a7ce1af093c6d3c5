#!/bin/sh
# LibreOffice Impress (the PowerPoint deck test opens each deck and renders it) and
# poppler-utils (pdftoppm, pdftotext, pdffonts: the PDF read-back tests).
exec sh "$(dirname "$0")/apt-install.sh" install-office "soffice pdftotext" \
    libreoffice-impress poppler-utils
