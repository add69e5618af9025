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
step "end-to-end in Chromium (playwright)"
npx playwright test
