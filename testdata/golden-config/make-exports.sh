#!/usr/bin/env bash
# Copies the exports of three hosts of the example fleet (testdata/fleet,
# made by testdata/make-fleet.sh) into exports/: EXFE01 (a front-end with
# findings), EXFE02 (a front-end that passes) and EXBE01 (the clustered
# back-end, binary hives). The copies are byte for byte the fleet's files;
# internal/cli's TestGoldenConfig checks that they still are. Run it after
# rebuilding the example fleet.
set -euo pipefail
cd "$(dirname "$0")"
src=../fleet
rm -rf exports
mkdir -p exports
for host in EXFE01 EXFE02 EXBE01; do
	cp -R "$src/$host" exports/
done
