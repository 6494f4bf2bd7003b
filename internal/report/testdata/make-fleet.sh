#!/usr/bin/env bash
# Rebuilds the binary hives of report/testdata/fleet/ from src/ (see
# README.md beside this script). The text files of the fleet are written by
# hand and committed as they are. Needs Go and hivexregedit (Debian package
# libwin-hivex-perl). After running it, regenerate the golden files:
#   go test ./report -run TestGolden -update
set -euo pipefail
cd "$(dirname "$0")/../.."
src=report/testdata/src
out=report/testdata/fleet

# An empty hive from mkhive, filled by hivexregedit --merge (a real registry tool).
hive() { # root-name base-block-file-name HKLM-prefix source output
	rm -f "$5"
	go run ./internal/cmd/mkhive -name "$1" -file "$2" -o "$5"
	hivexregedit --merge --prefix "$3" "$5" "$4"
}

hive SYSTEM '\??\C:\WINDOWS\system32\config\system' 'HKEY_LOCAL_MACHINE\SYSTEM' "$src/FE2-SYSTEM.reg" "$out/FE2/SYSTEM"

# BE1/SOFTWARE: a complete hive, then cut short before the end of its first
# hive bin (base block 4 KiB + bin 4 KiB): "could not read the hive".
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
rm -f "$tmp"
hive SOFTWARE '\??\C:\WINDOWS\system32\config\software' 'HKEY_LOCAL_MACHINE\SOFTWARE' "$src/BE1-SOFTWARE.reg" "$tmp"
head -c 6000 "$tmp" > "$out/BE1/SOFTWARE"
echo "rebuilt the hives of $out"
