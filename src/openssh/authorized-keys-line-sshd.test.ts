/**
 * parseAuthorizedKeysLine against a real sshd: every line below goes into one authorized_keys
 * file, each with its own key, and we log in with each key. sshd lets a key in exactly when it
 * accepted its line, so its verdicts must equal the parser's.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthorizedKeysLine } from './authorized-keys-line.ts';
import { KeyFormatError } from './errors.ts';
import { generateEd25519KeyPair } from '../crypto/keygen.ts';
import { ed25519PublicBlob } from './public-key-blob.ts';
import { formatPublicKey } from './public-key-line.ts';
import { encodePrivateKey } from './private-key.ts';

/** Option prefixes whose only effect on a `true` login over 127.0.0.1 is parse or refuse. */
const PREFIXES = [
  'restrict ',
  'restrict,pty ',
  'RESTRICT,Pty\t',
  'restrict, ',
  ',restrict ',
  'restrict,,pty ',
  'command="true" ',
  'command="echo \\"quoted, with space\\" >/dev/null" ',
  'from="127.0.0.1,::1",no-pty ',
  'expiry-time="20991231" ',
  'expiry-time="209912312359Z" ',
  'environment="FOO=bar" ',
  'permitopen="localhost:80",permitlisten="8080" ',
  'tunnel="1",no-agent-forwarding,no-x11-forwarding,no-port-forwarding,no-user-rc ',
  'touch-required,no-touch-required ',
  'restrict, pty ',
  'command="true ',
  'foo ',
  'ptyx ',
  'no-restrict ',
  'command="true",command="true" ',
  'from="127.0.0.1",from="127.0.0.1" ',
  'command=true ',
  'command="true"x ',
  'expiry-time="2099-12-31" ',
  'environment="NOEQUALS" ',
  'environment="A-B=1" ',
  'permitopen="nohostport" ',
  'tunnel="x" ',
  // Non-ASCII before later options: "İ" lowers to two UTF-16 code units in JavaScript.
  'from="İ,127.0.0.1",restrict ',
  'environment="X=İİ",Restrict,command="true" ',
  'from="İ,127.0.0.1",ptyx ',
  '',
];

const root = '/var/lib/keysmith-test';
let dir = '';
let sshd: ChildProcess | undefined;
let port = 0;
let sshdLog = '';
const cases: { prefix: string; line: string; keyPath: string }[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

async function waitForPort(p: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(p, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => {
        resolve(false);
      });
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${p}: ${sshdLog}`);
}

beforeAll(async () => {
  // StrictModes: every directory up to / must be root-owned and not group/world-writable.
  mkdirSync(root, { recursive: true, mode: 0o755 });
  dir = mkdtempSync(join(root, 'options-'));
  chmodSync(dir, 0o755);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_ed25519');
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);

  const lines: string[] = [];
  for (const [i, prefix] of PREFIXES.entries()) {
    const pair = await generateEd25519KeyPair({ forceFallback: i % 2 === 1 });
    const keyPath = join(dir, `key${i}`);
    writeFileSync(keyPath, await encodePrivateKey(pair, { comment: `case${i}` }), { mode: 0o600 });
    const line = `${prefix}${formatPublicKey({ type: 'ssh-ed25519', blob: ed25519PublicBlob(pair.publicKey), comment: `case${i}` })}`;
    lines.push(line);
    cases.push({ prefix, line, keyPath });
  }
  writeFileSync(join(dir, 'authorized_keys'), `${lines.join('\n')}\n`, { mode: 0o600 });

  port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'PidFile none',
      'LogLevel DEBUG1',
      'MaxStartups 100',
      '',
    ].join('\n'),
  );
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  sshd.stderr?.on('data', (chunk: Buffer) => {
    sshdLog += chunk.toString();
  });
  await waitForPort(port, Date.now() + 15_000);
}, 60_000);

afterAll(() => {
  sshd?.kill('SIGTERM');
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function login(keyPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ssh = spawn(
      'ssh',
      [
        '-F',
        '/dev/null',
        '-i',
        keyPath,
        '-p',
        String(port),
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'IdentityAgent=none',
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'ConnectTimeout=10',
        '-o',
        'LogLevel=ERROR',
        'root@127.0.0.1',
        'true',
      ],
      { stdio: 'ignore', timeout: 20_000 },
    );
    ssh.on('exit', (code) => {
      resolve(code === 0);
    });
  });
}

function ours(line: string): boolean {
  try {
    parseAuthorizedKeysLine(line);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return false;
  }
}

describe('parseAuthorizedKeysLine agrees with a real sshd', () => {
  it('accepts exactly the lines sshd honours', async () => {
    const verdicts: string[] = [];
    for (let i = 0; i < cases.length; i += 10) {
      const batch = cases.slice(i, i + 10);
      const results = await Promise.all(batch.map((c) => login(c.keyPath)));
      batch.forEach((c, j) =>
        verdicts.push(`${JSON.stringify(c.prefix)} sshd=${results[j] ? 'yes' : 'no'}`),
      );
    }
    const expected = cases.map(
      (c) => `${JSON.stringify(c.prefix)} sshd=${ours(c.line) ? 'yes' : 'no'}`,
    );
    expect(verdicts).toEqual(expected);
    // Both outcomes really occur, so the check is not vacuous.
    expect(verdicts.filter((v) => v.endsWith('yes')).length).toBeGreaterThan(10);
    expect(verdicts.filter((v) => v.endsWith('no')).length).toBeGreaterThan(10);
  }, 120_000);
});
