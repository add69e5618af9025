/**
 * A real OpenSSH sshd for tests: its own config, host key and loopback port, StrictModes on,
 * run as root so it can switch to the test users. Also real test users and an ssh login probe.
 * Reused by the e2e tests.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.ts';

/** Root-owned 0755 parent: sshd's StrictModes refuses anything below a 1777 /tmp. */
export const TEST_ROOT = '/var/lib/keysmith-test';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The authorized_keys file sshd reads for `user`. */
export function authorizedKeysOf(user: TestUser): string {
  return path.join(user.home, '.ssh', 'authorized_keys');
}

/** The user as the pool's account: a fresh object with only the passwd fields. */
export function accountOf(user: TestUser): TestUser {
  return { name: user.name, uid: user.uid, gid: user.gid, home: user.home };
}

export interface SshLoginOptions {
  /** `force` is `-tt`, a terminal as for a person typing `ssh host`; `none` is `-T`. */
  tty?: 'force' | 'none';
  /** The remote command (default `true`). */
  command?: string;
  /** The key's passphrase: ssh cannot prompt in BatchMode, so a decrypted copy logs in. */
  passphrase?: string;
}

export interface RunningSshd {
  port: number;
  /** Everything sshd logged so far (to stderr with -e, or to its `logFile` with -E). */
  log(): string;
  /** With `logFile`: SIGHUP, on which sshd re-executes itself and opens `logFile` afresh. */
  reopenLog(): Promise<void>;
  /** Tries `ssh -i key user@127.0.0.1 -p port true` (or `command`); resolves to whether it worked. */
  tryLogin(
    user: string,
    privateKeyPath: string,
    options?: SshLoginOptions,
  ): Promise<{ ok: boolean; output: string }>;
  stop(): Promise<void>;
}

/** A root-owned 0755 temporary directory under TEST_ROOT (removed by the caller). */
export function makeTestDir(prefix: string): string {
  fs.mkdirSync(TEST_ROOT, { recursive: true, mode: 0o755 });
  fs.chmodSync(TEST_ROOT, 0o755);
  const dir = fs.mkdtempSync(path.join(TEST_ROOT, `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * Runs an account tool (useradd, usermod, groupadd), retrying while another process holds the
 * lock on /etc/passwd: test files run in parallel and may create their users at the same time.
 */
export function runAccountTool(command: string, args: readonly string[]): void {
  for (let attempt = 0; ; attempt += 1) {
    try {
      execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
      return;
    } catch (error) {
      if (attempt >= 40) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 + Math.random() * 200);
    }
  }
}

/**
 * Creates a real login user (uid ≥ 1000, own home) when missing; returns its passwd entry.
 * The password field is set to `*` (no password, not locked): with UsePAM no, sshd refuses a
 * locked account (`!`) even for public keys.
 */
export function ensureTestUser(name: string): TestUser {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    try {
      runAccountTool('useradd', ['-m', '-s', '/bin/sh', name]);
    } catch {
      // Another test file may have created it meanwhile; if not, this throws.
      execFileSync('id', ['-u', name], { stdio: 'ignore' });
    }
  }
  runAccountTool('usermod', ['-p', '*', name]);
  const entry = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
  const home = entry[5] ?? '';
  fs.mkdirSync(home, { recursive: true });
  const user = { name, uid: Number(entry[2]), gid: Number(entry[3]), home };
  fs.chownSync(home, user.uid, user.gid);
  fs.chmodSync(home, 0o755);
  return user;
}

/** Removes a test user's ~/.ssh so each test starts without keys. */
export function resetSshDir(user: TestUser): void {
  fs.rmSync(path.join(user.home, '.ssh'), { recursive: true, force: true });
}

/**
 * Starts `/usr/sbin/sshd -D -e` on a free 127.0.0.1 port with its own host key.
 * @param options.authorizedKeysFile sshd's AuthorizedKeysFile (default `.ssh/authorized_keys`).
 */
export async function startSshd(
  options: {
    authorizedKeysFile?: string;
    extraConfig?: readonly string[];
    timeoutMs?: number;
    /** Log to this file (`-E`, as sshd does for an administrator) instead of stderr. */
    logFile?: string;
  } = {},
): Promise<RunningSshd> {
  const dir = makeTestDir('sshd');
  fs.chmodSync(dir, 0o700);
  // Debian's sshd needs its privilege separation directory.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { timeout: 30_000 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      'PidFile none',
      'UsePAM no',
      'StrictModes yes',
      `AuthorizedKeysFile ${options.authorizedKeysFile ?? '.ssh/authorized_keys'}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'LogLevel VERBOSE',
      'MaxStartups 50',
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const { logFile } = options;
  const child = spawn(
    '/usr/sbin/sshd',
    ['-D', ...(logFile === undefined ? ['-e'] : ['-E', logFile]), '-f', config],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const log = () => {
    if (logFile === undefined) return output;
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const waitListening = async () => {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    while (!log().includes(`Server listening on 127.0.0.1 port ${port}`)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`sshd did not start on port ${port}:\n${output}${log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  await waitListening();

  return {
    port,
    log,
    reopenLog: async () => {
      child.kill('SIGHUP');
      await waitListening();
    },
    tryLogin: async (user, privateKeyPath, login = {}) => {
      const { passphrase } = login;
      if (passphrase === undefined) return runSsh(sshArgs(port, user, privateKeyPath, login));
      const plain = `${privateKeyPath}.plain`;
      fs.writeFileSync(plain, fs.readFileSync(privateKeyPath), { mode: 0o600 });
      try {
        execFileSync('ssh-keygen', ['-p', '-q', '-P', passphrase, '-N', '', '-f', plain], {
          timeout: 30_000,
        });
        return await runSsh(sshArgs(port, user, plain, login));
      } finally {
        fs.rmSync(plain, { force: true });
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runSsh(args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const ssh = spawn('ssh', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    let output = '';
    ssh.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    ssh.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    ssh.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/** The ssh command line for a login as `user` to 127.0.0.1:`port` with this key alone, no prompts. */
function sshArgs(
  port: number,
  user: string,
  privateKeyPath: string,
  options: SshLoginOptions = {},
): string[] {
  const tty = options.tty === 'force' ? ['-tt'] : options.tty === 'none' ? ['-T'] : [];
  return [
    '-F',
    '/dev/null',
    '-i',
    privateKeyPath,
    ...tty,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'PreferredAuthentications=publickey',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(port),
    `${user}@127.0.0.1`,
    options.command ?? 'true',
  ];
}
