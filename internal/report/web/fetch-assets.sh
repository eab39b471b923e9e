#!/bin/sh
# fetch-assets.sh installs the report's front-end libraries from the npm
# registry (exact versions pinned in package-lock.json) and copies the files
# the report embeds into ../assets/vendor. It is idempotent: when the vendor
# files already match the lock file it returns at once. The development
# dependency axe-core stays in node_modules: the browser tests run it against
# rendered reports, and it is never embedded in a report.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/../assets/vendor"
stamp="$vendor/.lock-sha256"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
	[ -s "$vendor/leaflet.js" ] && [ -s "$vendor/leaflet.css" ] && [ -s "$vendor/echarts.min.js" ] &&
	[ -s "$here/node_modules/axe-core/axe.min.js" ]; then
	exit 0
fi

cd "$here"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p "$vendor"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$vendor/"
cp node_modules/echarts/dist/echarts.min.js "$vendor/"
printf '%s\n' "$want" >"$stamp"
echo "report assets ready in $vendor"
