#!/usr/bin/env bash
# The Debian packages a throw-away Moodle needs (PHP 8.2 with php-fpm, PostgreSQL 15, nginx) and
# Chromium for the browser suite. apt-get update only when something is missing.
set -euo pipefail
pkgs=(php8.2-cli php8.2-fpm php8.2-pgsql php8.2-intl php8.2-xml php8.2-mbstring php8.2-curl php8.2-zip
  php8.2-gd php8.2-soap php8.2-opcache postgresql-15 nginx chromium fonts-dejavu-core xz-utils openssl util-linux)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
apt-get update -qq
# policy-rc.d: Debian's postinst scripts must not start the system's own postgres/nginx/php-fpm.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
