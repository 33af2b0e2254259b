# Sourced by the other scripts here: where the throw-away Moodle lives and on which ports.
# Everything is under one state directory, never in the repository; remove it to start afresh.
: "${LAUREL_MOODLE_DIR:=/var/tmp/laurel-moodle}"
: "${MOODLE_HOST:=moodle.test}"
: "${LAUREL_HOST:=laurel.test}"
: "${MOODLE_HTTPS_PORT:=8643}"    # nginx: https://moodle.test:8643 -> php-fpm
: "${LAUREL_HTTPS_PORT:=8443}"    # nginx: https://laurel.test:8443 -> Laurel on 127.0.0.1
: "${LAUREL_HTTP_PORT:=8480}"     # where the test starts Laurel (plain HTTP, loopback only)
: "${MOODLE_PG_PORT:=5433}"       # a PostgreSQL cluster of our own, under the state directory
: "${MOODLE_ARCHIVE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/moodle/moodle-4.5.6.tar.xz}"  # shared/ beside the clone
: "${MOODLE_ADMIN_PASSWORD:=Admin-pass-1}"
export LAUREL_MOODLE_DIR MOODLE_HOST LAUREL_HOST MOODLE_HTTPS_PORT LAUREL_HTTPS_PORT LAUREL_HTTP_PORT \
  MOODLE_PG_PORT MOODLE_ARCHIVE MOODLE_ADMIN_PASSWORD
export MOODLE_URL="https://${MOODLE_HOST}:${MOODLE_HTTPS_PORT}"
export LAUREL_PUBLIC_URL="https://${LAUREL_HOST}:${LAUREL_HTTPS_PORT}"
MOODLE_WWW="$LAUREL_MOODLE_DIR/www"
MOODLE_DATA="$LAUREL_MOODLE_DIR/moodledata"
MOODLE_TLS="$LAUREL_MOODLE_DIR/tls"
MOODLE_SEED_JSON="$LAUREL_MOODLE_DIR/seed.json"
PG_BIN=/usr/lib/postgresql/15/bin
export MOODLE_WWW MOODLE_DATA MOODLE_TLS MOODLE_SEED_JSON
# The PHP settings Moodle needs, and the CA bundle (system CAs + ours) for its outgoing calls.
php_moodle() {
  php -d max_input_vars=5000 -d memory_limit=512M -d "curl.cainfo=$MOODLE_TLS/bundle.pem" \
    -d "openssl.cafile=$MOODLE_TLS/bundle.pem" "$@"
}
log() { printf '[moodle %s] %s\n' "$(date +%T)" "$*" >&2; }
