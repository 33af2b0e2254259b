#!/usr/bin/env bash
# The real-Moodle end-to-end suite (npm run test:moodle): installs what is missing, makes the
# local CA, then, inside a private mount namespace whose /etc/hosts also names laurel.test and
# moodle.test (the machine's own hosts file is left alone), starts PostgreSQL, php-fpm and nginx,
# installs Moodle 4.5.6 once, seeds it (or puts the seed back), and runs test/moodle/ in Chromium.
# The services stop when it ends. Runs as root. Extra arguments go to vitest.
# The state (Moodle's code, data, database, certificates, logs) is in $LAUREL_MOODLE_DIR
# (default /var/tmp/laurel-moodle): a second run reuses it; delete it to start afresh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/env.sh"

if [ -z "${LAUREL_MOODLE_IN_NAMESPACE:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "run as root: it installs Debian packages and bind-mounts /etc/hosts in a namespace of its own" >&2; exit 1; }
  t0=$(date +%s)
  "$here/packages.sh"
  mkdir -p "$LAUREL_MOODLE_DIR/log"
  "$repo/scripts/tls/local-ca.sh" "$MOODLE_TLS" "$LAUREL_HOST" "$MOODLE_HOST"
  { grep -v -E "[[:space:]]($LAUREL_HOST|$MOODLE_HOST)([[:space:]]|\$)" /etc/hosts || true
    echo "127.0.0.1 $LAUREL_HOST $MOODLE_HOST"; } > "$LAUREL_MOODLE_DIR/hosts"
  if [ -z "${FERRETDB_BIN:-}" ]; then FERRETDB_BIN="$("$repo/scripts/install-ferretdb.sh")"; export FERRETDB_BIN; fi
  export LAUREL_MOODLE_T0="$t0"
  exec env LAUREL_MOODLE_IN_NAMESPACE=1 unshare -m --propagation private "$0" "$@"
fi

# Inside the namespace from here on.
mount --bind "$LAUREL_MOODLE_DIR/hosts" /etc/hosts
trap '"$here/services.sh" stop' EXIT
"$here/services.sh" start
"$here/install.sh"
php_moodle "$here/seed.php" --out="$MOODLE_SEED_JSON" >/dev/null
log "Moodle ready after $(( $(date +%s) - ${LAUREL_MOODLE_T0:-$(date +%s)} )) s; running the suite"
cd "$repo"
export NODE_EXTRA_CA_CERTS="$MOODLE_TLS/ca.pem"
export LAUREL_MOODLE_SPKI="$(cat "$MOODLE_TLS/spki.txt")"
t1=$(date +%s)
status=0
npx vitest run --config test/moodle/vitest.config.ts "$@" || status=$?
log "suite took $(( $(date +%s) - t1 )) s (exit $status); all in all $(( $(date +%s) - ${LAUREL_MOODLE_T0:-$t1} )) s"
exit $status
