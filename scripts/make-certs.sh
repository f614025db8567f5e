#!/usr/bin/env bash
# Makes a certificate authority and the certificates of a RaftOrleans cluster for raft.toml's [tls]: PEM files with
# EC P-256 keys (openssl; installed from Debian's packages if missing).
#
#   scripts/make-certs.sh [--out DIR] [--ca DIR]
#
#   --out DIR   where to write (default: certs/ under the current directory); existing certificates there are replaced
#   --ca DIR    sign with the authority already in DIR (ca.crt, ca.key) instead of making a new one: how certificates
#               are renewed without touching what trusts the authority
#
# Writes: ca.crt and ca.key (the authority; keep ca.key off the silos in a real deployment), silo.crt and silo.key
# (role silo: OU=silo; every silo can use the same one, or make one each), client.crt and client.key (role client:
# the client console and applications), admin.crt and admin.key (role admin: signs administrative orders, raft.toml's
# tls.admin_certificate; give it to administrators only). Keys are readable by their owner only.
set -euo pipefail
out="certs"
ca_dir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --ca) ca_dir="${2:?--ca needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "make-certs: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
if ! command -v openssl >/dev/null; then
    echo "make-certs: installing openssl (apt-get)" >&2
    { apt-get update && apt-get install -y openssl; } >/dev/null 2>&1 || { echo "make-certs: openssl is missing and apt-get could not install it" >&2; exit 1; }
fi
mkdir -p "$out"
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ -n "$ca_dir" ]]; then
    [[ -f "$ca_dir/ca.crt" && -f "$ca_dir/ca.key" ]] || { echo "make-certs: --ca $ca_dir: needs ca.crt and ca.key there" >&2; exit 2; }
    [[ "$(realpath "$ca_dir")" == "$(realpath "$out")" ]] || cp "$ca_dir/ca.crt" "$ca_dir/ca.key" "$out/"
else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -subj "/O=RaftOrleans/CN=RaftOrleans cluster authority" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/ca.crt"
fi

# leaf NAME ROLE USAGES: a certificate of ROLE (its subject's OU), signed by the authority, valid 825 days.
leaf() {
    local name=$1 role=$2 usages=$3
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/$name.key" 2>/dev/null
    openssl req -new -key "$out/$name.key" -subj "/O=RaftOrleans/OU=$role/CN=raftorleans-$name" -out "$work/$name.csr"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=DNS:localhost,DNS:raftorleans,IP:127.0.0.1\n' \
        "$usages" >"$work/$name.ext"
    openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
        -days 825 -sha256 -extfile "$work/$name.ext" -out "$out/$name.crt" 2>/dev/null
}
leaf silo silo serverAuth,clientAuth
leaf client client clientAuth
leaf admin admin clientAuth
chmod 644 "$out/ca.crt" "$out/silo.crt" "$out/client.crt" "$out/admin.crt"
echo "make-certs: wrote $out/{ca,silo,client,admin}.{crt,key} (authority: $(openssl x509 -in "$out/ca.crt" -noout -fingerprint -sha256 | cut -d= -f2 | cut -c1-23)...)"
