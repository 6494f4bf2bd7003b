#!/usr/bin/env bash
# Rebuilds the example fleet testdata/fleet/ from the hand-written sources
# in testdata/fleet-src/ (see testdata/README.md). Not needed to run the
# tests or the audit: the fleet is committed. Needs Go, iconv and
# hivexregedit (Debian package libwin-hivex-perl).
set -euo pipefail
cd "$(dirname "$0")/.."
src=testdata/fleet-src
out=testdata/fleet

crlf() { sed 's/$/\r/' "$1"; }
# regedit (Windows 2000/2003) "Registration Files": UTF-16LE with BOM, CRLF.
utf16_bom() { { printf '\xff\xfe'; crlf "$1" | iconv -f UTF-8 -t UTF-16LE; } > "$2"; }
# cmd.exe redirection (netsh ... > file): the OEM code page (850), CRLF.
oem() { crlf "$1" | iconv -f UTF-8 -t CP850 > "$2"; }
# regedit "Win9x/NT4 Registration Files" (REGEDIT4): the ANSI code page, CRLF.
ansi() { crlf "$1" | iconv -f UTF-8 -t CP1252 > "$2"; }
# A binary hive: an empty one from mkhive, filled by hivexregedit --merge.
hive() { # root-name base-block-file-name HKLM-prefix source output
	rm -f "$5"
	go run ./internal/cmd/mkhive -name "$1" -file "$2" -o "$5"
	hivexregedit --merge --prefix "$3" "$5" "$4"
}

rm -rf "$out"
mkdir -p "$out"/{EXFE01,EXFE02,EXFE03,EXFE04,EXBE01,W2KBE01}
cp "$src/ipseclint.yaml" "$src/README.md" "$out/"

utf16_bom "$src/EXFE01/system.reg" "$out/EXFE01/system.reg"
utf16_bom "$src/EXFE01/software.reg" "$out/EXFE01/software.reg"
oem "$src/EXFE01/ipsec.txt" "$out/EXFE01/ipsec.txt"

ansi "$src/EXFE02/system.reg" "$out/EXFE02/system.reg"
utf16_bom "$src/EXFE02/software.reg" "$out/EXFE02/software.reg"
# Captured through PowerShell (netsh ... | Out-File): UTF-16LE with BOM.
utf16_bom "$src/EXFE02/ipsec.txt" "$out/EXFE02/ipsec.txt"

utf16_bom "$src/EXFE03/system.reg" "$out/EXFE03/system.reg"
utf16_bom "$src/EXFE03/software.reg" "$out/EXFE03/software.reg"
oem "$src/EXFE03/ipsec.txt" "$out/EXFE03/ipsec.txt"

utf16_bom "$src/EXFE04/system.reg" "$out/EXFE04/system.reg"
utf16_bom "$src/EXFE04/software.reg" "$out/EXFE04/software.reg"
# Windows 2000 has no netsh ipsec: the policy is a `reg export
# HKLM\SOFTWARE\Policies\Microsoft\Windows\IPSec`, here made from a netsh
# script that says the same policy (mkpolicyreg writes UTF-16LE with BOM).
# The pre-shared key is an example of what such exports hold in clear.
go run ./internal/cmd/mkpolicyreg -store local -me 10.0.0.14 -seed EXFE04 \
	-psk "Mail to BE=Fl33t-Example-PSK" \
	-o "$out/EXFE04/ipsec-policy.reg" "$src/EXFE04/policy-script.txt"

hive SYSTEM '\??\C:\WINDOWS\system32\config\system' 'HKEY_LOCAL_MACHINE\SYSTEM' "$src/EXBE01/SYSTEM.src.reg" "$out/EXBE01/SYSTEM"
hive SOFTWARE '\??\C:\WINDOWS\system32\config\software' 'HKEY_LOCAL_MACHINE\SOFTWARE' "$src/EXBE01/SOFTWARE.src.reg" "$out/EXBE01/SOFTWARE"
hive Cluster '\??\C:\WINDOWS\Cluster\CLUSDB' 'HKEY_LOCAL_MACHINE\Cluster' "$src/EXBE01/CLUSDB.src.reg" "$out/EXBE01/CLUSDB"
oem "$src/EXBE01/ipsec-dump.txt" "$out/EXBE01/ipsec-dump.txt"
# A live export of the Oakley key, made after the hives were copied.
utf16_bom "$src/EXBE01/oakley.reg" "$out/EXBE01/oakley.reg"

utf16_bom "$src/W2KBE01/system.reg" "$out/W2KBE01/system.reg"
utf16_bom "$src/W2KBE01/software.reg" "$out/W2KBE01/software.reg"
utf16_bom "$src/W2KBE01/cluster.reg" "$out/W2KBE01/cluster.reg"
echo "rebuilt $out"
