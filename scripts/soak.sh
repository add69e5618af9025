#!/usr/bin/env bash
# `npm run soak`: the reliability suite (src/testing/reliability) run longer than in `npm test`:
# every trial count is multiplied by KEYSMITH_SOAK_SCALE (default 10: 1,000 SIGKILLs, 10 rounds
# of concurrent writers, 10,000 + 1,500 hostile requests). Replay random choices with
# KEYSMITH_SEED=<seed printed by a run>. Needs root (mounts, test users, sshd), like `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

export KEYSMITH_SOAK_SCALE="${KEYSMITH_SOAK_SCALE:-10}"
# The child processes run the compiled server and writer (ten times faster to start). Type
# errors are `npm test`'s business; where dist stays stale, the children run the sources.
npm run --silent build:node || echo "soak: the build reported errors (see above); going on." >&2
rm -rf test-results/reliability test-results/reliability-summary.md
status=0
npx vitest run --project node src/testing/reliability || status=$?
if [ -f test-results/reliability-summary.md ]; then
  printf '\n'
  cat test-results/reliability-summary.md
fi
exit "$status"
