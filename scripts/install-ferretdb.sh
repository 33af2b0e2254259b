#!/usr/bin/env bash
# Builds FerretDB (Apache-2.0, MongoDB wire protocol on SQLite) with Go when it is missing,
# and prints the path of the binary. Local runs, tests and CI use it; production uses MongoDB.
#
# `go install …/cmd/ferretdb@v1.24.2` is the one-liner, but it fails twice here: it asks the
# module proxy for the version list (refused here), and the published module lacks the
# build/version/version.txt that FerretDB's own build generates, so the binary panics at start.
# So: fetch the pinned module, copy it, write version.txt, apply Laurel's patches, build the copy.
#
# The patches (scripts/ferretdb/*.patch, each says why) make the build differ from upstream's,
# so the binary has a name of its own (ferretdb-laurel) and a stamp beside it (<binary>.stamp:
# the version and the patches' sha256). A binary whose stamp does not match, an upstream
# build or one from older patches, is rebuilt in place. FERRETDB_BIN says where the binary is.
set -euo pipefail
VERSION="1.24.2"
patches=$(cd "$(dirname "$0")/ferretdb" && pwd)
STAMP="v$VERSION $(cat "$patches"/*.patch | sha256sum | cut -d' ' -f1)"
BIN="${FERRETDB_BIN:-$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin/ferretdb-laurel}"

# (Read the version into a variable: with pipefail, `| grep -q` would fail on SIGPIPE.)
if [ -x "$BIN" ] && [[ "$("$BIN" --version 2>&1 || true)" == *"version: v$VERSION"* ]]; then
  if [ "$(cat "$BIN.stamp" 2>/dev/null)" == "$STAMP" ]; then
    echo "$BIN"
    exit 0
  fi
  if ! command -v go >/dev/null; then
    echo "$BIN is FerretDB v$VERSION without Laurel's patches (scripts/ferretdb): lookups by _id or by an indexed field read the whole table. Install Go (1.24+) to build it patched." >&2
    echo "$BIN"
    exit 0
  fi
fi

command -v go >/dev/null || { echo "FerretDB is missing and Go (1.24+) is not installed: install Go, or set MONGODB_URI" >&2; exit 1; }
echo "Building FerretDB v$VERSION with Laurel's patches and $(go version) (about two minutes, once)…" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > go.mod <<MOD
module laurel.local/ferretdb

go 1.24

require github.com/FerretDB/FerretDB v$VERSION
MOD
printf '//go:build tools\npackage tools\n\nimport _ "github.com/FerretDB/FerretDB/cmd/ferretdb"\n' > tools.go
go mod download -json github.com/FerretDB/FerretDB > mod.json
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' mod.json)
cp -r "$src" ferretdb-src && chmod -R u+w ferretdb-src
echo "v$VERSION" > ferretdb-src/build/version/version.txt
for p in "$patches"/*.patch; do patch -s -p1 -d ferretdb-src < "$p" >&2; done
go mod edit -replace github.com/FerretDB/FerretDB=./ferretdb-src
go mod tidy >&2
mkdir -p "$(dirname "$BIN")"
# Built beside the binary, then renamed over it: a FerretDB running from the old one keeps it.
go build -o "$BIN.new" github.com/FerretDB/FerretDB/cmd/ferretdb >&2
rm -f "$BIN.stamp"
mv -f "$BIN.new" "$BIN"
echo "$STAMP" > "$BIN.stamp"
echo "$BIN"
