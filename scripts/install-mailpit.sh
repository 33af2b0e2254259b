#!/usr/bin/env bash
# Builds Mailpit (MIT, an SMTP server that keeps what it receives and shows it over an HTTP API)
# with Go when it is missing, and prints the path of the binary. The tests send Laurel's e-mails
# to it and read them back through its API (test/support/mailpit.ts); production uses the
# institution's own SMTP server.
#
# `go install github.com/axllent/mailpit@v1.33.1` from the Go module proxy builds it (about a
# minute and a half on two cores). Its build leaves the version as "dev" (Mailpit's release build
# sets it with -ldflags): set here, so `mailpit version` names what was built. The web UI's
# assets are not in the module; the API the tests read needs none. A stamp beside the binary
# (<binary>.stamp) holds the version: another version, or none, is built again in place.
# MAILPIT_BIN says where the binary is.
set -euo pipefail
VERSION="1.33.1"
STAMP="v$VERSION"
BIN="${MAILPIT_BIN:-$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin/mailpit-laurel}"

if [ -x "$BIN" ] && [ "$(cat "$BIN.stamp" 2>/dev/null)" == "$STAMP" ]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "Mailpit is missing and Go (1.24+) is not installed: install Go, or set MAILPIT_BIN to a Mailpit v$VERSION binary" >&2; exit 1; }
echo "Building Mailpit v$VERSION with $(go version) (about a minute and a half, once)…" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GOBIN="$work" go install -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=v$VERSION" "github.com/axllent/mailpit@v$VERSION" >&2
mkdir -p "$(dirname "$BIN")"
# Moved beside the binary, then renamed over it: a Mailpit running from the old one keeps it.
cp "$work/mailpit" "$BIN.new"
rm -f "$BIN.stamp"
mv -f "$BIN.new" "$BIN"
echo "$STAMP" > "$BIN.stamp"
echo "$BIN"
