#!/usr/bin/env bash
# Rebuilds the binary hive of internal/cli/testdata/fleet/ (EXFE02/SYSTEM)
# from src/ (see README.md beside this script). The text files of the fleet
# are written by hand and committed as they are. Needs Go and hivexregedit
# (Debian package libwin-hivex-perl).
set -euo pipefail
cd "$(dirname "$0")/../../.."
src=internal/cli/testdata/src
out=internal/cli/testdata/fleet

rm -f "$out/EXFE02/SYSTEM"
# An empty hive from mkhive, filled by hivexregedit --merge (a real registry tool).
go run ./internal/cmd/mkhive -name SYSTEM -file '\??\C:\WINDOWS\system32\config\system' -o "$out/EXFE02/SYSTEM"
hivexregedit --merge --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$out/EXFE02/SYSTEM" "$src/EXFE02-SYSTEM.reg"
echo "rebuilt $out/EXFE02/SYSTEM"
