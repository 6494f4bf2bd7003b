#!/usr/bin/env bash
# Makes testdata/fleet-drift/: the example fleet testdata/fleet/ as it
# might be collected again a month later, for `ipseclint diff
# testdata/fleet testdata/fleet-drift` (docs/diff.md) and its tests and
# golden files. Not needed to run them: the drifted fleet is committed.
# Needs sed and iconv only: the changed files are made from the UTF-8
# sources in testdata/fleet-src/ with the encoders of make-fleet.sh, and
# every other file (the binary hives among them) is copied from
# testdata/fleet/ as it is.
#
# What drifted (each change is checked by internal/cli/diff_test.go):
#   EXFE02  Oakley\NLBSFlags was deleted (system.reg, REGEDIT4 / cp1252):
#           IPSEC001 becomes a new finding, and the failover estimates of
#           EXFE02 go from about 2 to about 6 minutes.
#   EXFE01  its netsh dump (cp850): the filter "POP3 to EVS1" is no longer
#           mirrored (IPSEC009 new), and the rule "IMAP4 to BE
#           (troubleshooting)" now uses the filter action "Require ESP 3DES"
#           instead of "Permit" (an IPSEC002 finding fixed).
#   EXFE05  a new front-end, a copy of EXFE02 as it was (NLBSFlags = 1)
#           with ComputerName EXFE05 and address 10.0.0.15: an added host,
#           which the back-ends' policies do not know (IPSEC010 new on
#           EXBE01, messages of W2KBE01's IPSEC010 changed).
set -euo pipefail
cd "$(dirname "$0")/.."
src=testdata/fleet-src
base=testdata/fleet
out=testdata/fleet-drift

# The encoders of make-fleet.sh.
crlf() { sed 's/$/\r/' "$1"; }
utf16_bom() { { printf '\xff\xfe'; crlf "$1" | iconv -f UTF-8 -t UTF-16LE; } > "$2"; }
oem() { crlf "$1" | iconv -f UTF-8 -t CP850 > "$2"; }
ansi() { crlf "$1" | iconv -f UTF-8 -t CP1252 > "$2"; }

# edit SOURCE SED-SCRIPT: the source with the edit applied, into a
# temporary file whose name is printed; fails when the edit changes
# nothing, so that a source rewritten upstream cannot silently leave the
# drift out.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
edit() {
	local f
	f="$tmp/$(echo "$1" | tr / _)"
	sed -e "$2" "$1" > "$f"
	if cmp -s "$1" "$f"; then
		echo "make-drift.sh: the edit '$2' changes nothing in $1" >&2
		exit 1
	fi
	echo "$f"
}

rm -rf "$out"
cp -R "$base" "$out"

# EXFE02: NLBSFlags deleted.
ansi "$(edit "$src/EXFE02/system.reg" '/^"NLBSFlags"=dword:00000001$/d')" "$out/EXFE02/system.reg"

# EXFE01: a filter no longer mirrored, the IMAP4 rule encrypting.
exfe01=$(edit "$src/EXFE01/ipsec.txt" '/description="POP3 to EVS1"/s/mirrored=yes/mirrored=no/')
exfe01=$(edit "$exfe01" '/^add rule name="IMAP4 to BE (troubleshooting)"/s/filteraction="Permit"/filteraction="Require ESP 3DES"/')
oem "$exfe01" "$out/EXFE01/ipsec.txt"

# EXFE05: a copy of EXFE02's sources with its own name and address.
mkdir -p "$out/EXFE05"
rename='s/EXFE02/EXFE05/g'
# 10.0.0.12 as a REG_MULTI_SZ: "10.0.0.12" ends in 31,32 -> 31,35.
readdress='s/^"IPAddress"=hex(7):31,30,2e,30,2e,30,2e,31,32,00,00$/"IPAddress"=hex(7):31,30,2e,30,2e,30,2e,31,35,00,00/; s/^"DedicatedIPAddress"="10.0.0.12"$/"DedicatedIPAddress"="10.0.0.15"/; s/^"HostPriority"=dword:00000002$/"HostPriority"=dword:00000005/'
exfe05=$(edit "$src/EXFE02/system.reg" "$rename")
ansi "$(edit "$exfe05" "$readdress")" "$out/EXFE05/system.reg"
utf16_bom "$(edit "$src/EXFE02/software.reg" "$rename")" "$out/EXFE05/software.reg"
utf16_bom "$(edit "$src/EXFE02/ipsec.txt" "$rename")" "$out/EXFE05/ipsec.txt"

cat > "$out/README.md" <<'EOF'
# ipseclint example fleet, drifted

The example fleet (`testdata/fleet`) collected again after changes, made
by `testdata/make-drift.sh` (which lists the changes): NLBSFlags deleted on
EXFE02, a filter of EXFE01 no longer mirrored and its IMAP4 rule fixed, a
new front-end EXFE05. `ipseclint diff testdata/fleet testdata/fleet-drift`
shows them. This README is not an input: the audit lists it as skipped.
EOF
echo "made $out"
