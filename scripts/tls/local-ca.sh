#!/usr/bin/env bash
# A throw-away certificate authority and one server certificate for the test host names, so
# Laurel and the LMS run on HTTPS at different sites as they do in production. Idempotent:
# an existing CA and certificate are kept while they cover the names asked for.
#   scripts/tls/local-ca.sh DIR NAME...   ->  DIR/ca.pem, DIR/server.pem, DIR/server-key.pem,
#                                             DIR/bundle.pem (the system's CAs plus this one)
set -euo pipefail
dir="$1"; shift
[ $# -gt 0 ] || { echo "usage: $0 DIR NAME..." >&2; exit 2; }
mkdir -p "$dir"
cd "$dir"
names="$*"
if [ -f server.pem ] && [ "$(cat names 2>/dev/null)" = "$names" ]; then exit 0; fi

if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Laurel test CA" -keyout ca-key.pem -out ca.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
san=$(printf 'DNS:%s,' $names)
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${1}" \
  -keyout server-key.pem -out server.csr 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' "${san%,}" > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 825 \
  -extfile ext.cnf -out server.pem 2>/dev/null
cat /etc/ssl/certs/ca-certificates.crt ca.pem > bundle.pem
# Chromium trusts the server's key by its SPKI hash (--ignore-certificate-errors-spki-list).
openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform der \
  | openssl dgst -sha256 -binary | base64 > spki.txt
rm -f server.csr ext.cnf
echo "$names" > names
