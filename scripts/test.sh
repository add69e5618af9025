#!/usr/bin/env bash
# `npm test`: everything, in the order that fails fastest. Installs the Debian packages the
# interop and end-to-end tests need when missing and running as root; otherwise names them.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "npm test must run as root: the tests create test users, start sshd on 127.0.0.1," >&2
  echo "mount small tmpfs file systems and check the privilege drop. Run: sudo npm test" >&2
  exit 1
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

step "format (prettier --check)"
npx prettier --check . --log-level warn
step "types (tsc -b)"
npx tsc -b
step "lint (eslint)"
npx eslint . --max-warnings 0
step "build (server and web app)"
npm run --silent build
step "unit, component and interop tests (vitest)"
npx vitest run
# The server on Node 24 LTS too (package.json engines): the official binary from the npm
# registry's node package, the node test project without the reliability suite (minutes of
# sshd and kill trials that test the file store, not the runtime).
NODE_24=node@24.9.0
step "server, command line and their tests on Node 24 ($NODE_24, vitest node project)"
npx -y "$NODE_24" node_modules/vitest/vitest.mjs run --project node \
  --exclude 'src/testing/reliability/**'
step "end-to-end in Chromium (playwright)"
npx playwright test
