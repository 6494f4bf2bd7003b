#!/bin/sh
# bench-reg.sh: time ipseclint's .reg parser against iconv on the same
# machine, in the same run, on the same generated file (issue 3).
#
#   internal/bench/bench-reg.sh [SIZE]        (default 200MB; e.g. 500MB, 64MiB)
#
# 1. Generates an export shaped like a Windows Server 2003 HKLM export
#    (regedit version 5: UTF-16LE with BOM, CRLF) with
#    `go run ./internal/cmd/genreg -size SIZE -o FILE`, in a temporary
#    directory removed at the end.
# 2. Reads it once so that both commands find it in the page cache.
# 3. Times, with hyperfine when installed (else /usr/bin/time, 5 runs each):
#        iconv -f UTF-16LE -t UTF-8 FILE > /dev/null
#        ipseclint audit --fail-on none FILE
# 4. Measures the peak memory (maximum RSS) of one run of each with
#    /usr/bin/time -v.
#
# Target (issue 3): the parser takes at most 1.5x iconv's time, with a peak
# memory under 64 MB.
set -eu

SIZE=${1:-200MB}
cd "$(dirname "$0")/../.."
DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-reg.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM
FILE=$DIR/hklm.reg

go run ./internal/cmd/genreg -size "$SIZE" -o "$FILE"
go build -o "$DIR/ipseclint" ./cmd/ipseclint

# The end-user command: a whole audit of the file (sniffing, parsing with
# the rules' key filter, facts, rules, table). --fail-on none keeps the exit
# code 0 so that hyperfine does not stop on findings.
PARSER="$DIR/ipseclint audit --fail-on none $FILE"

ICONV="iconv -f UTF-16LE -t UTF-8 $FILE > /dev/null"

cat "$FILE" > /dev/null
$PARSER

echo
if command -v hyperfine > /dev/null 2>&1; then
	hyperfine --warmup 2 --runs 10 --export-markdown "$DIR/times.md" \
		-n iconv "$ICONV" -n ipseclint "$PARSER > /dev/null"
	cat "$DIR/times.md"
else
	for i in 1 2 3 4 5; do
		/usr/bin/time -f "iconv     %e s" sh -c "$ICONV"
		/usr/bin/time -f "ipseclint %e s" sh -c "$PARSER > /dev/null"
	done
fi

echo
echo "peak memory (maximum resident set size):"
/usr/bin/time -v sh -c "$ICONV" 2>&1 | sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): /  iconv     /p' | sed 's/$/ kB/'
/usr/bin/time -v $PARSER 2>&1 > /dev/null | sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): /  ipseclint /p' | sed 's/$/ kB/'
