#!/usr/bin/env bash
# No Docker engine runs on these machines, so this assembles the image's final stage by hand, as the
# Dockerfile does (production dependencies only, dist/, bin/, app.yml, prompts, schema), and runs the
# image's entrypoint with --help in it. Catches a runtime import of a dev dependency or a file the
# image forgets to copy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d /tmp/triad-image.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cd "$root"
[ -f dist/main.js ] || { echo "check-image: dist/ is missing (npm run build)"; exit 1; }
cp package.json package-lock.json app.yml "$stage/"
cp -r dist bin prompts schema examples "$stage/"
mkdir -p "$stage/scripts" && cp scripts/require-node.mjs "$stage/scripts/"
(cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
cd "$stage"
NODE_ENV=production node bin/triad.js --help >/dev/null
NODE_ENV=production node bin/triad.js worker --help >/dev/null
# The entrypoint with the default command and no configuration must fail with the one clear message.
out=$(NODE_ENV=production node bin/triad.js start 2>&1 || true)
echo "$out" | grep -q "triad cannot start" || { echo "check-image: unexpected output from 'start':"; echo "$out"; exit 1; }
# `triad demo` plays in the image (it needs a Redis: REDIS_URL, or the machine's at 127.0.0.1:6379).
NODE_ENV=production node bin/triad.js demo >/dev/null 2>&1 || { echo "check-image: 'triad demo' failed in the image:"; NODE_ENV=production node bin/triad.js demo 2>&1 | tail -20; exit 1; }
echo "check-image: the image's entrypoint runs with production dependencies only, and plays the demo"
