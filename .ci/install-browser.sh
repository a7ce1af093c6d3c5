#!/bin/sh
# Install Debian's chromium for the browser tests (tests/renderers/test_player_browser.py and the docs site test).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install-browser: $CHROMIUM is already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser: $CHROMIUM is missing and installing it needs root;" >&2
    echo "  run: sudo $0   (or set ADVIZ_SKIP_BROWSER=1 to skip the browser tests)" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: apt-get not found; install Chromium yourself and set" >&2
    echo "  ADVIZ_CHROMIUM to its path (or ADVIZ_SKIP_BROWSER=1 to skip the browser tests)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium

if [ ! -x "$CHROMIUM" ]; then
    echo "install-browser: chromium was installed but $CHROMIUM is missing" >&2
    exit 1
fi
echo "install-browser: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
