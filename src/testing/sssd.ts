/**
 * Debian's SSSD for tests, pointed at a private slapd (slapd.ts): a generated sssd.conf with
 * the nss and ssh responders, `sssd -i` as a child, and /etc/nsswitch.conf's passwd and group
 * lines extended with `sss`. SSSD's sockets and caches live at fixed paths (libnss_sss and
 * sss_ssh_authorizedkeys look there), so `stop()` puts back every file under /var/lib/sss and
 * /etc/nsswitch.conf byte for byte as they were, and so does process exit after a failure.
 * One SSSD at a time per machine: start it from one test file only.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const NSSWITCH = '/etc/nsswitch.conf';
const SSS_STATE = ['/var/lib/sss/db', '/var/lib/sss/mc', '/var/lib/sss/pipes'];
export const SSSD_DOMAIN = 'keysmith-test';

export interface RunningSssd {
  /** Drops everything SSSD cached (`sss_cache -E`), so the next lookup asks the directory. */
  expireCache(): void;
  /** What `sss_ssh_authorizedkeys USER` prints, the lines sshd is given. */
  authorizedKeys(user: string): string;
  log(): string;
  stop(): Promise<void>;
}

/** Every regular file under `dirs` with its bytes, to put back after SSSD wrote there. */
function snapshot(dirs: readonly string[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set(full, fs.readFileSync(full));
    }
  };
  dirs.forEach(walk);
  return files;
}

/** Removes what SSSD added under `dirs` (files, sockets) and rewrites what it changed. */
function restore(dirs: readonly string[], before: Map<string, Buffer>): void {
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!before.has(full)) fs.rmSync(full, { force: true });
    }
  };
  dirs.forEach(walk);
  for (const [file, bytes] of before) {
    const now = fs.existsSync(file) ? fs.readFileSync(file) : null;
    if (now === null || !now.equals(bytes)) fs.writeFileSync(file, bytes);
  }
}

/** nsswitch.conf with `sss` added to the passwd and group lines that lack it. */
function withSss(text: string): string {
  return text.replace(/^(passwd|group):([^\n]*)$/gm, (line, _db: string, sources: string) =>
    /(^|\s)sss(\s|$)/.test(sources) ? line : `${line} sss`,
  );
}

/**
 * Starts SSSD for the directory at `ldapUri` (users under `searchBase`, keys in
 * `sshPublicKey`), waiting until `probeUser` resolves through NSS.
 */
export async function startSssd(options: {
  ldapUri: string;
  searchBase: string;
  probeUser: string;
  timeoutMs?: number;
}): Promise<RunningSssd> {
  const timeout = options.timeoutMs ?? 30_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-sssd-'));
  const nsswitch = fs.readFileSync(NSSWITCH);
  const state = snapshot(SSS_STATE);
  let restored = false;
  const putBack = () => {
    if (restored) return;
    restored = true;
    fs.writeFileSync(NSSWITCH, nsswitch);
    restore(SSS_STATE, state);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A failed test run still leaves the machine's NSS as it found it.
  const onExit = () => putBack();
  process.once('exit', onExit);

  const conf = path.join(dir, 'sssd.conf');
  fs.writeFileSync(
    conf,
    [
      '[sssd]',
      'config_file_version = 2',
      'services = nss, ssh',
      `domains = ${SSSD_DOMAIN}`,
      '',
      '[nss]',
      // No memory cache: a lookup after sss_cache -E must ask the responder.
      'memcache_timeout = 0',
      '',
      '[ssh]',
      '',
      `[domain/${SSSD_DOMAIN}]`,
      'id_provider = ldap',
      'auth_provider = none',
      'access_provider = permit',
      `ldap_uri = ${options.ldapUri}`,
      `ldap_search_base = ${options.searchBase}`,
      'ldap_schema = rfc2307',
      // Plain LDAP on loopback only: the test directory listens on 127.0.0.1.
      'ldap_id_use_start_tls = false',
      'ldap_tls_reqcert = never',
      'ldap_user_ssh_public_key = sshPublicKey',
      'cache_credentials = false',
      'enumerate = false',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  fs.writeFileSync(NSSWITCH, withSss(nsswitch.toString('utf8')));

  const child = spawn(
    '/usr/sbin/sssd',
    ['-i', '-c', conf, '--logger=stderr', '-d', '0x0070'],
    // Its own process group: the responders and providers SSSD starts go with it.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const signalGroup = (signal: NodeJS.Signals) => {
    // Never 0: process.kill(-0) would signal the test runner's own group.
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone.
    }
  };
  const stop = async () => {
    signalGroup('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    // Whatever of the group outlived the monitor.
    signalGroup('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    putBack();
    process.off('exit', onExit);
  };

  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      execFileSync('getent', ['passwd', options.probeUser], { stdio: 'ignore', timeout: 5_000 });
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`SSSD did not resolve ${options.probeUser}:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  return {
    expireCache: () => {
      execFileSync('/usr/sbin/sss_cache', ['-E'], { stdio: 'pipe', timeout: 15_000 });
    },
    authorizedKeys: (user) =>
      execFileSync('/usr/bin/sss_ssh_authorizedkeys', [user], {
        encoding: 'utf8',
        timeout: 15_000,
      }),
    log: () => log,
    stop,
  };
}
