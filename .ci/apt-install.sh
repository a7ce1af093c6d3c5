#!/bin/sh
# Install Debian packages for a group of tests, once: does nothing when every command the
# tests need is already on PATH. Needs root and apt-get to install.
#
# usage: apt-install.sh NAME "COMMAND ..." PACKAGE ...
#   NAME      what is installed, for the messages
#   COMMAND   the programs the tests run, by name on PATH or by absolute path
#   PACKAGE   the Debian packages that provide them
set -eu

name=$1
commands=$2
shift 2

missing=""
for c in $commands; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -z "$missing" ]; then
    echo "$name: $commands already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "$name:$missing missing; installing needs root and apt-get." >&2
    echo "  Run: sudo apt-get install $*" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$@"

for c in $commands; do
    command -v "$c" >/dev/null 2>&1 || { echo "$name: $c is still missing" >&2; exit 1; }
done
echo "$name: installed$missing"
