#!/usr/bin/env bash
# The Debian packages the tests use: ssh-keygen (openssh-client), sshd (openssh-server),
# Chromium, nginx, systemd-analyze (systemd), systemd-journal-remote, and slapd and SSSD for
# keys in a directory. Installed when missing and running as root; otherwise a clear error with
# the command.
set -euo pipefail

need=()
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
# nginx for the end-to-end test behind a real proxy (e2e/nginx-proxy.spec.ts).
[ -x /usr/sbin/nginx ] || need+=(nginx)
# systemd-analyze checks deploy/keysmith.service (src/cli/service.test.ts).
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# systemd-journal-remote writes the journal files that the --sshd-log journal test reads
# (src/server/node/sshd-log/sshd-log.test.ts).
[ -x /lib/systemd/systemd-journal-remote ] || need+=(systemd-journal-remote)
# A private slapd, SSSD (LDAP provider, sss_cache, sss_ssh_authorizedkeys) and its NSS module for
# --store ldap (src/server/node/ldap/ldap-sssd.test.ts).
[ -x /usr/sbin/slapd ] || need+=(slapd)
[ -x /usr/sbin/sssd ] || need+=(sssd-common)
[ -n "$(find /usr/lib -name libsss_ldap.so -print -quit 2>/dev/null)" ] || need+=(sssd-ldap)
[ -x /usr/sbin/sss_cache ] || need+=(sssd-tools)
[ -n "$(find /usr/lib /lib -name libnss_sss.so.2 -print -quit 2>/dev/null)" ] || need+=(libnss-sss)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends keeps Chromium's install small; the tests start private sshd, nginx,
  # slapd and sssd of their own.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi

echo "Keysmith's tests need these Debian packages: ${need[*]}" >&2
echo "Install them with:  sudo apt-get install -y ${need[*]}" >&2
exit 1
