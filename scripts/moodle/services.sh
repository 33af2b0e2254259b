#!/usr/bin/env bash
# Starts or stops the throw-away Moodle's services, all from the state directory: a PostgreSQL 15
# cluster of its own, php-fpm (a pool with the PHP settings Moodle needs and our CA bundle for
# its outgoing calls, so the machine's CA store is left alone) and nginx terminating TLS for
# both sites: https://moodle.test:PORT (Moodle) and https://laurel.test:PORT (a proxy to Laurel).
# Start it inside the mount namespace of e2e.sh, so PHP resolves laurel.test.
#   scripts/moodle/services.sh start|stop
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
run="$LAUREL_MOODLE_DIR/run"
pg="$LAUREL_MOODLE_DIR/pg"

# Stops what an earlier run left, by the pid it wrote in the state directory.
stop_pidfile() {
  local file="$1" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}

stop() {
  stop_pidfile "$run/nginx.pid"
  stop_pidfile "$run/php-fpm.pid"
  if [ -f "$pg/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg" -m fast stop >/dev/null 2>&1 || true
  fi
}

start_postgres() {
  if [ ! -f "$pg/PG_VERSION" ]; then
    rm -rf "$pg"; mkdir -p "$pg"; chown postgres:postgres "$pg"; chmod 700 "$pg"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  mkdir -p "$run/pg"; chown postgres:postgres "$run/pg"
  touch "$LAUREL_MOODLE_DIR/log/postgresql.log"; chown postgres "$LAUREL_MOODLE_DIR/log/postgresql.log"
  # A stale pid file from a killed run would stop pg_ctl.
  if [ -f "$pg/postmaster.pid" ] && ! kill -0 "$(head -1 "$pg/postmaster.pid")" 2>/dev/null; then rm -f "$pg/postmaster.pid"; fi
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg" -l "$LAUREL_MOODLE_DIR/log/postgresql.log" -w \
    -o "-p $MOODLE_PG_PORT -k $run/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
}

write_php_fpm_conf() {
  cat > "$run/php-fpm.conf" <<CONF
[global]
pid = $run/php-fpm.pid
error_log = $LAUREL_MOODLE_DIR/log/php-fpm.log
daemonize = yes

[moodle]
; root, as the CLI installer and seeding write moodledata as root: a throw-away test site only.
user = root
group = root
listen = $run/php-fpm.sock
listen.mode = 0666
pm = dynamic
pm.max_children = 12
pm.start_servers = 4
pm.min_spare_servers = 2
pm.max_spare_servers = 6
catch_workers_output = yes
php_admin_value[error_log] = $LAUREL_MOODLE_DIR/log/php-error.log
php_admin_value[max_input_vars] = 5000
php_admin_value[memory_limit] = 512M
php_admin_value[post_max_size] = 64M
php_admin_value[upload_max_filesize] = 64M
php_admin_value[curl.cainfo] = $MOODLE_TLS/bundle.pem
php_admin_value[openssl.cafile] = $MOODLE_TLS/bundle.pem
CONF
}

write_nginx_conf() {
  mkdir -p "$run/nginx"
  cat > "$run/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $run/nginx.pid;
error_log $LAUREL_MOODLE_DIR/log/nginx-error.log warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $LAUREL_MOODLE_DIR/log/nginx-access.log;
  client_body_temp_path $run/nginx/body;
  proxy_temp_path $run/nginx/proxy;
  fastcgi_temp_path $run/nginx/fastcgi;
  uwsgi_temp_path $run/nginx/uwsgi;
  scgi_temp_path $run/nginx/scgi;
  client_max_body_size 64m;
  ssl_certificate $MOODLE_TLS/server.pem;
  ssl_certificate_key $MOODLE_TLS/server-key.pem;
  sendfile on;

  server {
    listen 127.0.0.1:$MOODLE_HTTPS_PORT ssl;
    server_name $MOODLE_HOST;
    root $MOODLE_WWW;
    index index.php;
    location ~ ^/(\.git|config\.php$|vendor/|node_modules/|composer\.) { return 404; }
    location ~ [^/]\.php(/|\$) {
      fastcgi_split_path_info ^(.+\.php)(/.*)\$;
      if (!-f \$document_root\$fastcgi_script_name) { return 404; }
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_param PATH_INFO \$fastcgi_path_info;
      fastcgi_read_timeout 300;
      fastcgi_buffers 16 32k;
      fastcgi_buffer_size 64k;
      fastcgi_pass unix:$run/php-fpm.sock;
    }
  }

  # Production puts a TLS proxy in front of Laurel; so does this test. Laurel trusts X-Forwarded-*
  # from loopback (TRUST_PROXY) and knows its public URL (PUBLIC_URL).
  server {
    listen 127.0.0.1:$LAUREL_HTTPS_PORT ssl;
    server_name $LAUREL_HOST;
    location / {
      proxy_pass http://127.0.0.1:$LAUREL_HTTP_PORT;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_read_timeout 300;
      proxy_buffer_size 32k;
      proxy_buffers 16 32k;
    }
  }
}
CONF
}

start() {
  mkdir -p "$run" "$LAUREL_MOODLE_DIR/log"
  stop
  [ -f "$MOODLE_TLS/server.pem" ] || { echo "no certificate in $MOODLE_TLS: run scripts/tls/local-ca.sh first" >&2; exit 1; }
  start_postgres
  write_php_fpm_conf
  php-fpm8.2 -R -y "$run/php-fpm.conf"
  write_nginx_conf
  nginx -c "$run/nginx.conf" -p "$run/nginx" -g 'daemon on;' 2>>"$LAUREL_MOODLE_DIR/log/nginx-error.log"
  log "services up: $MOODLE_URL and $LAUREL_PUBLIC_URL (-> 127.0.0.1:$LAUREL_HTTP_PORT)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
