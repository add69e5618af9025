/**
 * `--policy` over the real HTTP server and a real authorized_keys: each rule's refusal leaves
 * the file byte-identical and is written to the audit trail; a key within the policy is added.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModeConfig } from '../../testing/server-config.ts';
import { toPolicy, type PolicyFile } from '../../api/policy.ts';
import { apiPaths, errorResponseSchema } from '../../api/ssh-keys.ts';
import { startServer, type RunningServer } from './node-server.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';

const TOKEN = 'policy-token-0123456789abcdefXYZ';
const BEFORE = Buffer.from(
  '# kept as it is\r\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl old',
);

let dir: string;
let home: string;
let file: string;
let auditFile: string;
let ed: TestKey;
let rsa: TestKey;
let server: RunningServer;

const policyFile: PolicyFile = {
  maxLifetimeDays: 30,
  allowedKeyTypes: ['ssh-ed25519', 'ssh-rsa'],
  minRsaBits: 3072,
  allowedAccess: ['restricted', 'interactive'],
  requireFrom: true,
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-policy-'));
  home = path.join(dir, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  file = path.join(home, '.ssh', 'authorized_keys');
  auditFile = path.join(dir, 'audit.log');
  ed = makeTestKey(dir, 'ed');
  rsa = makeTestKey(dir, 'rsa', { type: 'rsa', rsaBits: 2048 });
  server = await startServer(
    localModeConfig(TOKEN, home, { auditLog: auditFile, policy: toPolicy(policyFile) }),
  );
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function add(body: Record<string, unknown>) {
  return fetch(`${server.origin}${apiPaths.sshKeys}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('--policy over HTTP', () => {
  it('answers GET /api/policy with the file’s limits', async () => {
    const response = await fetch(`${server.origin}${apiPaths.policy}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(await response.json()).toEqual(toPolicy(policyFile));
  });

  const within = { expiresAt: inDays(30), from: ['10.0.0.0/8'] };
  it.each([
    ['maxLifetimeDays (no expiry)', { publicKey: 'ed', from: ['10.0.0.0/8'] }, /at most 30 days/],
    ['maxLifetimeDays (too late)', { publicKey: 'ed', ...within, expiresAt: inDays(31) }, /30/],
    ['allowedKeyTypes', { publicKey: 'ecdsa', ...within }, /not allowed here/],
    ['minRsaBits', { publicKey: 'rsa', ...within }, /at least 3072 bits/],
    ['allowedAccess', { publicKey: 'ed', ...within, access: 'full' }, /Access "full"/],
    ['requireFrom', { publicKey: 'ed', expiresAt: inDays(30) }, /source addresses/],
  ])('refuses a key against %s, the file byte-identical', async (_, body, message) => {
    fs.writeFileSync(file, BEFORE, { mode: 0o600 });
    const publicKey =
      body.publicKey === 'ed'
        ? ed.publicLine
        : body.publicKey === 'rsa'
          ? rsa.publicLine
          : makeTestKey(dir, `ecdsa-${Date.now()}`, { type: 'ecdsa' }).publicLine;
    const response = await add({ ...body, publicKey });
    expect(response.status).toBe(400);
    const { error } = errorResponseSchema.parse(await response.json());
    expect(error.code).toBe('policy');
    expect(error.message).toMatch(message);
    expect(fs.readFileSync(file).equals(BEFORE)).toBe(true);
    const last = fs.readFileSync(auditFile, 'utf8').trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toMatchObject({ action: 'add', result: 'refused', error: 'policy' });
  });

  it('adds a key within every limit', async () => {
    fs.writeFileSync(file, BEFORE, { mode: 0o600 });
    const response = await add({ publicKey: ed.publicLine, ...within, access: 'interactive' });
    expect(response.status).toBe(201);
    const after = fs.readFileSync(file);
    expect(after.subarray(0, BEFORE.length).equals(BEFORE)).toBe(true);
    expect(after.toString('utf8')).toContain('from="10.0.0.0/8"');
  });
});
