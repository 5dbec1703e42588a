#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests, fonts and text shaping for the cards,
# nginx (the shipped proxy config is tested), Redis (the task queue of several servers) and the
# PostgreSQL client (pg_dump and pg_restore for manage.py backup; Debian's is the server's version).
set -euo pipefail
packages=(chromium fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji libraqm0 libfribidi0
  nginx-light redis-server postgresql-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
