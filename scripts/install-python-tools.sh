#!/usr/bin/env bash
# Installs 1EdTech's Open Badges 2.0 validator (PyPI `openbadges`) and baking tool
# (`openbadges-bakery`) into ./.venv, and prints the venv's bin directory. Tests use them as
# independent checks of our OB 2.0 documents and baked images; the app never does.
#
# Why every package is pinned and installed with --no-deps:
# - openbadges 1.1.2 (its last release, 2020) pins three packages that no longer import on a
#   current Python: pycryptodome==3.6.6 (its sdist becomes Python 3 code only through distutils'
#   2to3, which current setuptools skips: it installs, then fails on `0xffffffffL`),
#   python-jose==3.0.1 and pytz==2017.2 (`from collections import Mapping`, gone in 3.10).
#   We take later releases with the same API (the validator uses them for signed badges and
#   dates). pip's resolver refuses such overrides, hence --no-deps and the whole tree here.
# - openbadges-bakery 2.0.0 needs rfc3986>=1.5 while openbadges pins 0.4.1: stay on 1.2.4.
# - openbadges imports `future` 0.16.0, which imports `imp`: Python 3.12 removed it, so the
#   venv needs Python 3.8–3.11 (set PYTHON to choose the interpreter).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PACKAGES=(
  openbadges==1.1.2 openbadges-bakery==1.2.4
  aniso8601==10.0.1 click==6.7 future==0.16.0 jsonschema==2.6.0 language-tags==0.4.3
  pycryptodome==3.24.1 pydux==0.2.2 PyLD==0.7.1 python-jose==3.3.0 python-mimeparse==1.6.0
  pytz==2026.6 requests==2.34.2 requests-cache==0.4.13 rfc3986==0.4.1 validators==0.11.2
  six==1.17.0 ecdsa==0.19.2 rsa==4.9.1 pyasn1==0.6.5 decorator==5.3.1 pypng==0.20220715.0
  defusedxml==0.7.1 certifi==2026.10.18 charset-normalizer==3.5.2 idna==3.20 urllib3==2.8.0
)
STAMP="$VENV/.laurel-python-tools"
WANT="${PACKAGES[*]}"

ready() { [ -x "$VENV/bin/python" ] && [ -x "$VENV/bin/openbadges" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; }

# Quick path: nothing to do.
if ready; then echo "$VENV/bin"; exit 0; fi

# Test files run in parallel processes: one installs, the others wait and then take the quick path.
exec 9>"${TMPDIR:-/tmp}/laurel-python-tools-$(printf %s "$ROOT" | cksum | cut -d' ' -f1).lock"
flock 9
if ready; then echo "$VENV/bin"; exit 0; fi

pick_python() {
  local candidates=("${PYTHON:-}" python3.11 python3.10 python3.9 python3.8 python3)
  for p in "${candidates[@]}"; do
    [ -n "$p" ] && command -v "$p" >/dev/null || continue
    if "$p" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 11) else 1)' 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}
PY="$(pick_python)" || {
  echo "install-python-tools: need Python 3.8–3.11 (1EdTech's openbadges 1.1.2 does not import on 3.12+)." >&2
  echo "Install python3.11 or set PYTHON=/path/to/python3.11." >&2
  exit 1
}

echo "install-python-tools: creating $VENV with $("$PY" --version 2>&1)…" >&2
rm -rf "$VENV"
if ! "$PY" -m venv "$VENV" >&2; then
  rm -rf "$VENV"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install-python-tools: python3 -m venv failed; installing python3-venv with apt-get…" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
    "$PY" -m venv "$VENV" >&2
  else
    echo "install-python-tools: '$PY -m venv' failed. On Debian/Ubuntu run: sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi

"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "${PACKAGES[@]}" >&2
# Fail here, not in a test, when an import is broken.
"$VENV/bin/python" -c 'import openbadges, openbadges_bakery, png' >&2
echo "$WANT" > "$STAMP"
echo "$VENV/bin"
