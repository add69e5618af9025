/**
 * Interop with the real sshd: keys written through the API (proxy mode as root, so every write
 * runs as the test user in a child process) are what sshd accepts or refuses, StrictModes on.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyModeConfig } from '../../testing/server-config.ts';
import { apiPaths } from '../../api/ssh-keys.ts';
import { addKey } from './edits.ts';
import { listKeys } from './listing.ts';
import { startServer, type RunningServer } from '../node/node-server.ts';
import { httpRequest } from '../../testing/http.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  startSshd,
  type RunningSshd,
  type TestUser,
} from '../../testing/sshd.ts';

let user: TestUser;
let keysDir: string;
let server: RunningServer;
let sshd: RunningSshd;
const keys: Record<string, TestKey> = {};

function key(name: string): TestKey {
  const found = keys[name];
  if (found === undefined) throw new Error(`no test key ${name}`);
  return found;
}

function authorizedKeysPath(): string {
  return path.join(user.home, '.ssh', 'authorized_keys');
}

function api(method: string, urlPath: string, body?: unknown) {
  return httpRequest({
    port: server.port,
    method,
    path: urlPath,
    headers: {
      'X-Forwarded-User': user.name,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function addThroughApi(name: string, extra: Record<string, unknown> = {}) {
  const response = await api('POST', apiPaths.sshKeys, {
    publicKey: key(name).publicLine,
    ...extra,
  });
  expect(response.status, response.body).toBe(201);
}

async function removeThroughApi(name: string) {
  const response = await api('DELETE', apiPaths.sshKey(key(name).fingerprint));
  expect(response.status, response.body).toBe(204);
}

async function expectLogin(name: string, ok: boolean) {
  const result = await sshd.tryLogin(user.name, key(name).privatePath);
  expect(result.ok, `login with key ${name}: ${result.output}\n${sshd.log().slice(-2000)}`).toBe(
    ok,
  );
}

beforeAll(async () => {
  user = ensureTestUser('keysmith-t1');
  resetSshDir(user);
  keysDir = makeTestDir('keys');
  fs.chmodSync(keysDir, 0o700);
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) keys[name] = makeTestKey(keysDir, name);
  keys.r = makeTestKey(keysDir, 'r', { type: 'rsa' });
  server = await startServer(proxyModeConfig());
  sshd = await startSshd();
});

afterAll(async () => {
  await sshd.stop();
  await server.close();
  fs.rmSync(keysDir, { recursive: true, force: true });
  resetSshDir(user);
});

describe('a real sshd (StrictModes yes) reading files Keysmith wrote', () => {
  it('refuses a key before it is added', async () => {
    await expectLogin('a', false);
  });

  it('accepts a key added through the API; the file and ~/.ssh belong to the user, 0600/0700', async () => {
    await addThroughApi('a', { name: 'first' });
    await expectLogin('a', true);
    expect(sshd.log()).toContain(`Accepted publickey for ${user.name} from 127.0.0.1 port`);
    expect(sshd.log()).toContain(key('a').fingerprint);
    const file = fs.statSync(authorizedKeysPath());
    const dir = fs.statSync(path.dirname(authorizedKeysPath()));
    expect([file.uid, file.gid, file.mode & 0o7777]).toEqual([user.uid, user.gid, 0o600]);
    expect([dir.uid, dir.gid, dir.mode & 0o7777]).toEqual([user.uid, user.gid, 0o700]);
  });

  it('keeps accepting after a write to a file with foreign lines, CRLF and no final newline', async () => {
    const file = authorizedKeysPath();
    const foreign = `# managed by hand\r\n\r\nfrom="10.9.9.9" ${key('r').publicLine}\r\n# no final newline`;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8') + foreign);
    const before = fs.readFileSync(file, 'utf8');
    await addThroughApi('b', { access: 'interactive', name: 'second' });
    const after = fs.readFileSync(file, 'utf8');
    expect(after.startsWith(`${before}\n`)).toBe(true);
    await expectLogin('a', true);
    await expectLogin('b', true);
  });

  it('refuses a key after DELETE, and still accepts the others', async () => {
    await removeThroughApi('a');
    await expectLogin('a', false);
    await expectLogin('b', true);
    expect(fs.readFileSync(authorizedKeysPath(), 'utf8')).not.toContain('name=first');
  });

  it('refuses a key whose from= does not match, accepts one that matches', async () => {
    await addThroughApi('c', { from: ['10.9.9.9'] });
    await expectLogin('c', false);
    expect(sshd.log()).toContain('with correct key but not from a permitted host');
    await addThroughApi('d', { from: ['10.9.9.9', '127.0.0.1'] });
    await expectLogin('d', true);
    await expectLogin('b', true);
  });

  it('refuses a key whose expiry-time has passed, accepts one that has not', async () => {
    const file = authorizedKeysPath();
    // Written through the model with a clock in the past: the API refuses past expiries.
    const { text } = addKey(
      fs.readFileSync(file, 'utf8'),
      { publicKey: key('e').publicLine, expiresAt: '2021-01-01T00:00:00Z' },
      new Date('2020-12-31T00:00:00Z'),
    );
    fs.writeFileSync(file, text);
    await expectLogin('e', false);
    // Refused although the line is there: for its expiry alone.
    expect(fs.readFileSync(file, 'utf8')).toContain(
      `restrict,expiry-time="20210101000000Z" ${key('e').publicLine}\n`,
    );
    await addThroughApi('f', { expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    await expectLogin('f', true);
    await expectLogin('b', true);
  });

  it('accepts a full-access key and still accepts the others after more deletes', async () => {
    await addThroughApi('g', { access: 'full' });
    await expectLogin('g', true);
    await removeThroughApi('c');
    await removeThroughApi('r');
    await expectLogin('b', true);
    await expectLogin('d', true);
    await expectLogin('g', true);
    const text = fs.readFileSync(authorizedKeysPath(), 'utf8');
    expect(text).toContain('# managed by hand\r\n\r\n# no final newline\n');
    expect(sshd.log()).not.toContain('bad ownership or modes');
  });
});

/** Option texts: valid and refused spellings, from the review and the sshd sources. */
const OPTIONS = [
  'restrict',
  'RESTRICT',
  'pty',
  'no-pty',
  'command="true"',
  'from="127.0.0.1"',
  'from="10.9.9.9"',
  'expiry-time="20991231Utc"',
  'expiry-time="2099 1 1"',
  'expiry-time="209912312359Z"',
  'expiry-time="20990230"',
  'expiry-time="20200101"',
  'expiry-time="20991301"',
  'expiry-time="00000101"',
  'tunnel="ANY"',
  'tunnel="+1"',
  'tunnel="x"',
  'permitopen="localhost:+22"',
  'permitopen="localhost:0"',
  'permitopen="h:1"',
  'permitopen="h:65535"',
  'permitopen="h:65536"',
  'permitopen="[::1]:*"',
  'permitlisten="8080"',
  'environment="A=1"',
  'principals="x"',
  'ptycommand="x"',
  'foo',
  'command="a\\"',
];

/** Where in a generated line each variant goes; the property test draws one of each. */
interface LineRecipe {
  key: 'ed' | 'rsa' | 'rsa1024';
  typeName: string;
  blob: 'as is' | 'CR' | 'VT' | 'FF' | 'space' | 'no padding' | 'leading zero';
  at: number;
  options: string[];
  separator: ',' | ',,' | ', ';
  lead: '' | ' ' | '\t';
  tail: '' | ' comment' | '\0junk' | '\r' | '\tc' | ' \r';
}

function base64Of(name: string): string {
  return key(name).publicLine.split(' ')[1] ?? '';
}

/** The RSA blob with one more zero byte before the modulus (sshd trims it). */
function withLeadingZero(base64: string): string {
  const blob = Buffer.from(base64, 'base64');
  const nAt = 15 + blob.readUInt32BE(11);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(blob.readUInt32BE(nAt) + 1);
  return Buffer.concat([
    blob.subarray(0, nAt),
    length,
    Buffer.from([0]),
    blob.subarray(nAt + 4),
  ]).toString('base64');
}

function lineOf(recipe: LineRecipe): string {
  let base64 = base64Of(recipe.key);
  const cut = 4 + (recipe.at % (base64.length - 8));
  const insert = (c: string) => `${base64.slice(0, cut)}${c}${base64.slice(cut)}`;
  if (recipe.blob === 'CR') base64 = insert('\r');
  if (recipe.blob === 'VT') base64 = insert('\v');
  if (recipe.blob === 'FF') base64 = insert('\f');
  if (recipe.blob === 'space') base64 = insert(' ');
  if (recipe.blob === 'no padding') base64 = base64.replace(/=+$/, '');
  if (recipe.blob === 'leading zero' && recipe.key !== 'ed') base64 = withLeadingZero(base64);
  const options = recipe.options.length === 0 ? '' : `${recipe.options.join(recipe.separator)} `;
  return `${recipe.lead}${options}${recipe.typeName} ${base64}${recipe.tail}`;
}

const recipes: fc.Arbitrary<LineRecipe> = fc.record({
  key: fc.constantFrom('ed' as const, 'rsa' as const, 'rsa1024' as const),
  typeName: fc.constantFrom(
    'ssh-ed25519',
    'ssh-rsa',
    'rsa-sha2-256',
    'rsa-sha2-512',
    'SSH-RSA',
    'ssh-ed25519',
    'ssh-rsa',
  ),
  blob: fc.constantFrom(
    'as is' as const,
    'CR' as const,
    'VT' as const,
    'FF' as const,
    'space' as const,
    'no padding' as const,
    'leading zero' as const,
  ),
  at: fc.nat(),
  options: fc.array(fc.constantFrom(...OPTIONS), { maxLength: 3 }),
  separator: fc.constantFrom(',' as const, ',' as const, ',,' as const, ', ' as const),
  lead: fc.constantFrom('' as const, ' ' as const, '\t' as const),
  tail: fc.constantFrom(
    '' as const,
    ' comment' as const,
    '\0junk' as const,
    '\r' as const,
    '\tc' as const,
    ' \r' as const,
  ),
});

describe('what Keysmith lists is what a real sshd lets in', () => {
  beforeAll(() => {
    const file = path.join(keysDir, 'rsa1024');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '1024', '-N', '', '-C', '', '-f', file], {
      timeout: 30_000,
    });
    const publicLine = fs.readFileSync(`${file}.pub`, 'utf8').trim();
    const fingerprint =
      execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? '';
    keys.rsa1024 = { privatePath: file, publicLine, fingerprint };
    keys.ed = key('a');
    keys.rsa = key('r');
  });

  it('over generated lines: listed (and neither expired nor refused by its options) iff sshd logs in', async () => {
    const sshDir = path.dirname(authorizedKeysPath());
    fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    fs.chownSync(sshDir, user.uid, user.gid);
    const outcomes = { in: 0, out: 0 };
    await fc.assert(
      fc.asyncProperty(recipes, async (recipe) => {
        const line = lineOf(recipe);
        fs.writeFileSync(authorizedKeysPath(), `${line}\n`, { mode: 0o600 });
        fs.chownSync(authorizedKeysPath(), user.uid, user.gid);
        const listed = listKeys(`${line}\n`, new Date()).find(
          (k) => k.fingerprint === key(recipe.key).fingerprint,
        );
        const letIn =
          listed !== undefined &&
          !listed.expired &&
          !listed.flags.some((f) => f.code === 'principals' || f.code === 'cert-authority') &&
          (listed.options.from === null || listed.options.from.includes('127.0.0.1'));
        const login = await sshd.tryLogin(user.name, key(recipe.key).privatePath);
        outcomes[login.ok ? 'in' : 'out'] += 1;
        expect(login.ok, `${JSON.stringify(line)} listed as ${JSON.stringify(listed)}`).toBe(letIn);
      }),
      { numRuns: 48 },
    );
    // Both outcomes occur, so the comparison is not vacuous.
    expect(outcomes.in).toBeGreaterThan(5);
    expect(outcomes.out).toBeGreaterThan(5);
  }, 180_000);
});
