#!/usr/bin/env bash
# Installs the throw-away Moodle 4.5.6 once: its code from the archive, a PostgreSQL role and
# database, our own config.php (the settings a tool on another port and host needs), then
# Moodle's CLI installer. A second run finds it installed and does nothing. Needs services.sh start.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
marker="$LAUREL_MOODLE_DIR/installed"
if [ -f "$marker" ] && [ -f "$MOODLE_WWW/config.php" ]; then
  log "Moodle already installed ($(cat "$marker"))"
  exit 0
fi

if [ ! -f "$MOODLE_WWW/version.php" ]; then
  [ -f "$MOODLE_ARCHIVE" ] || { echo "Moodle archive not found: $MOODLE_ARCHIVE (set MOODLE_ARCHIVE)" >&2; exit 1; }
  log "unpacking $MOODLE_ARCHIVE"
  rm -rf "$MOODLE_WWW.tmp"; mkdir -p "$MOODLE_WWW.tmp"
  tar -xJf "$MOODLE_ARCHIVE" -C "$MOODLE_WWW.tmp"
  rm -rf "$MOODLE_WWW"; mv "$MOODLE_WWW.tmp" "$MOODLE_WWW"
fi

# A half-finished install is started again from an empty database and data folder.
psql_pg() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -h 127.0.0.1 -p "$MOODLE_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql_pg -c "DROP DATABASE IF EXISTS moodle" -c "DROP ROLE IF EXISTS moodle" \
  -c "CREATE ROLE moodle LOGIN PASSWORD 'moodle'" -c "CREATE DATABASE moodle OWNER moodle ENCODING 'UTF8'"
rm -rf "$MOODLE_DATA"; mkdir -p "$MOODLE_DATA"

cat > "$MOODLE_WWW/config.php" <<CONF
<?php  // Written by Laurel's scripts/moodle/install.sh for a throw-away test site.
unset(\$CFG);
global \$CFG;
\$CFG = new stdClass();
\$CFG->dbtype    = 'pgsql';
\$CFG->dblibrary = 'native';
\$CFG->dbhost    = '127.0.0.1';
\$CFG->dbname    = 'moodle';
\$CFG->dbuser    = 'moodle';
\$CFG->dbpass    = 'moodle';
\$CFG->prefix    = 'mdl_';
\$CFG->dboptions = ['dbpersist' => 0, 'dbport' => $MOODLE_PG_PORT];
\$CFG->wwwroot   = '$MOODLE_URL';
\$CFG->dataroot  = '$MOODLE_DATA';
\$CFG->admin     = 'admin';
\$CFG->directorypermissions = 02777;
// Laurel runs on another host and port: Moodle must be allowed to call it (registration, JWKS, tokens).
\$CFG->curlsecurityblockedhosts = '';
\$CFG->curlsecurityallowedport = '';
\$CFG->noemailever = true;
require_once(__DIR__ . '/lib/setup.php');
CONF

log "running Moodle's CLI installer (about a minute, up to 4 on a busy machine)"
start=$(date +%s)
php_moodle "$MOODLE_WWW/admin/cli/install_database.php" --agree-license --lang=en \
  --adminuser=admin --adminpass="$MOODLE_ADMIN_PASSWORD" --adminemail=admin@moodle.test \
  --fullname="Laurel test Moodle" --shortname="laurel-test" >"$LAUREL_MOODLE_DIR/log/install.log" 2>&1 \
  || { tail -30 "$LAUREL_MOODLE_DIR/log/install.log" >&2; exit 1; }
echo "Moodle 4.5.6 installed $(date -u +%FT%TZ) in $(( $(date +%s) - start )) s" > "$marker"
log "$(cat "$marker")"
