#!/bin/sh
# Debian's Chromium for the browser tests (the pages, the docs site, the notebook widget).
# Elsewhere, set ADVIZ_CHROMIUM to a Chromium binary, or ADVIZ_SKIP_BROWSER=1 to skip them.
exec sh "$(dirname "$0")/apt-install.sh" install-browser "/usr/bin/chromium" chromium
