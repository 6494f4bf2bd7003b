#!/bin/sh
# bench-hive.sh: time ipseclint's hive reader against reglookup (Debian
# package reglookup) reading the same keys of the same hive.
#
#   internal/bench/bench-hive.sh [HIVE]     (default ../shared/samples/hives/win7-sp1-SYSTEM)
#
# Side by side, with hyperfine when installed (else `time`):
#   1. the keys the rules need (the list is rulesKeys in parsers/hive/bench_test.go):
#      hivecat reads them all in one run through a key filter; reglookup
#      takes one path per run (-p), so it runs once per key, on the control
#      set Select\Current names (it has no CurrentControlSet);
#   2. the whole hive, every key and value, each tool in one run.
# hivecat (parsers/hive/internal/hivecat) prints what parsers/hive reads.
# Both print every value they read, to /dev/null. For the in-process cost without
# process start-up: go test ./parsers/hive -run '^$' -bench Open
set -eu

cd "$(dirname "$0")/../.."
HIVE=${1:-../shared/samples/hives/win7-sp1-SYSTEM}
[ -f "$HIVE" ] || { echo "bench-hive: no hive at $HIVE" >&2; exit 1; }
command -v reglookup >/dev/null || { echo "bench-hive: reglookup is not installed (apt-get install reglookup)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/hivecat" ./parsers/hive/internal/hivecat

# The control set reglookup must be given: Select\Current, e.g. 0x00000001.
CUR=$(reglookup -H -p /Select/Current "$HIVE" 2>/dev/null | awk -F, '$1 == "/Select/Current" { print $3 }')
CS=$(printf 'ControlSet%03d' "$((CUR))")

SUBKEYS='Services/PolicyAgent Services/IPSEC Services/ClusSvc Services/WLBS Services/Tcpip/Parameters/Interfaces
Control/ComputerName/ComputerName Control/ProductOptions Services/MSExchangeIS Services/MSExchangeSA Services/POP3Svc Services/IMAP4Svc'

# The two commands are written to scripts of their own, so that the key
# paths' backslashes go through no further quoting.
{
	printf "exec '%s' -k '%s'" "$TMP/hivecat" 'SYSTEM\Select'
	for k in $SUBKEYS; do
		printf " -k '%s'" "$(printf 'SYSTEM/CurrentControlSet/%s' "$k" | tr '/' '\\')"
	done
	printf " '%s'\n" "$HIVE"
} >"$TMP/ours.sh"
{
	printf "reglookup -H -p /Select '%s'\n" "$HIVE"
	for k in $SUBKEYS; do
		printf "reglookup -H -p '/%s/%s' '%s'\n" "$CS" "$k" "$HIVE"
	done
} >"$TMP/theirs.sh"
printf "exec '%s' '%s'\n" "$TMP/hivecat" "$HIVE" >"$TMP/ours-all.sh"
printf "exec reglookup -H '%s'\n" "$HIVE" >"$TMP/theirs-all.sh"

echo "hive: $HIVE ($(wc -c <"$HIVE") bytes), current control set $CS"
# What each side reads (hivecat also reads the other control sets' copies
# of the keys, which reglookup is not asked for).
echo "hivecat:   $(sh "$TMP/ours.sh" | grep '^# ')"
echo "reglookup: $(sh "$TMP/theirs.sh" 2>/dev/null | grep -vc ',KEY,') values"

if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 3 --style basic \
		-n "ipseclint hivecat, rules keys" "sh $TMP/ours.sh" \
		-n "reglookup, rules keys (one run per key)" "sh $TMP/theirs.sh" \
		--output null
	hyperfine -N --warmup 1 --style basic \
		-n "ipseclint hivecat, whole hive" "sh $TMP/ours-all.sh" \
		-n "reglookup, whole hive" "sh $TMP/theirs-all.sh" \
		--output null
else
	echo "hyperfine not installed: one run each with time"
	for s in ours theirs ours-all theirs-all; do
		echo "$s:"
		time sh "$TMP/$s.sh" >/dev/null 2>&1
	done
fi
