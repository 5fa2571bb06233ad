#!/usr/bin/env bash
# Generates the test PKI for certificate-chain signing tests (CertificateChainVerifierTest and the
# CLI's certificate tests). Run once from this folder; its outputs are committed as test fixtures.
# The CA private keys are thrown away: nothing more is ever issued by these CAs.
#   test-ca.pem              self-signed root CA (P-256)
#   leaf.pem, leaf-key.pem   code-signing certificate (digitalSignature, codeSigning), 2026-2036
#   expired.pem, expired-key.pem
#                            code-signing certificate valid 2020-01-01 to 2021-01-01 only
#   not-signing.pem, not-signing-key.pem
#                            keyEncipherment + serverAuth only: model_signing's usage check fails
#   other-ca.pem             another self-signed root CA, which issued none of the above
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

root() { # name file
  key "$work/$1.key"
  openssl req -x509 -new -key "$work/$1.key" -subj "/CN=$1" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$2"
}

root custody-test-ca test-ca.pem
root custody-other-ca other-ca.pem

# openssl ca, for leaves with chosen start and end dates.
mkdir "$work/ca"
: >"$work/ca/index.txt"
cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $work/ca/index.txt
new_certs_dir = $work/ca
certificate = test-ca.pem
private_key = $work/custody-test-ca.key
default_md = sha256
policy = any
unique_subject = no
rand_serial = yes
[any]
commonName = supplied
[signing]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
[not_signing]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
extendedKeyUsage = serverAuth
CNF

leaf() { # name extensions start end
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1-key.pem"
  openssl req -new -key "$1-key.pem" -subj "/CN=custody-test-$1" -out "$work/$1.csr"
  openssl ca -batch -config "$work/ca.cnf" -extensions "$2" -startdate "$3" -enddate "$4" \
    -in "$work/$1.csr" -out "$work/$1.txt" -notext
  openssl x509 -in "$work/$1.txt" -out "$1.pem"
}

leaf leaf signing 20260101000000Z 20360101000000Z
leaf expired signing 20200101000000Z 20210101000000Z
leaf not-signing not_signing 20260101000000Z 20360101000000Z
