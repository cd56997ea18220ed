#!/usr/bin/env bash
# Copies uPlot's distribution files into the dashboard's vendor folder. The copies are checked in,
# so the dashboard works without a build; run this only to upgrade uPlot (bump it in clients/js/package.json).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/../src/PushGateway/wwwroot/vendor"
cd "$here/js"
[ -d node_modules/uplot ] || npm ci --no-audit --no-fund
mkdir -p "$vendor"
cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css "$vendor/"
cp node_modules/uplot/LICENSE "$vendor/uPlot.LICENSE"
echo "uPlot $(node -p "require('./node_modules/uplot/package.json').version") copied to $vendor"
