/**
 * Hostile input, property-based (fast-check): request bodies, path parameters, headers, query
 * strings and existing authorized_keys contents, first against createApp over the in-memory store
 * with the real local-mode authentication, then against the real server over a file in a
 * temporary home. For every request: never a 5xx; a refused request changes no byte of the file;
 * an accepted one appends exactly Keysmith's two lines, and the key line, read back the way
 * sshd reads it (parseAuthorizedKeysLine) and by the real `ssh-keygen -lf`, says what the API
 * reported (fingerprint, comment, options, access, expiry). Replay with KEYSMITH_SEED.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModeConfig } from '../server-config.ts';
import {
  createKeyResponseSchema,
  errorResponseSchema,
  listKeysResponseSchema,
  type SshKey,
} from '../../api/ssh-keys.ts';
import { parseAuthorizedKeysLine } from '../../openssh/authorized-keys-line.ts';
import { fingerprintSha256 } from '../../openssh/fingerprint.ts';
import { formatPublicKey, parsePublicKey } from '../../openssh/public-key-line.ts';
import { createApp } from '../../server/http/app.ts';
import { removeKey } from '../../server/keys-file/edits.ts';
import { listKeys } from '../../server/keys-file/listing.ts';
import { createLocalAuth } from '../../server/auth/local-auth.ts';
import { createMemoryKeyStore } from '../../server/store/memory-key-store.ts';
import { startServer, type RunningServer } from '../../server/node/node-server.ts';
import { httpRequest } from '../http.ts';
import { makeTestKey, type TestKey } from '../ssh-keygen.ts';
import { makeTestDir } from '../sshd.ts';
import { freshKeys, type FreshKey } from './fresh-keys.ts';
import { captureConsole, createSecretScanner } from './secret-scan.ts';
import { runSeed, soakScale } from './soak-scale.ts';
import { createSummary } from './summary-table.ts';

const scale = soakScale();
const seed = runSeed();
const summary = createSummary('hostile-input');
const secrets = createSecretScanner();
let restoreConsole: () => void = () => undefined;
const token = 'hostile-token-0d5e97b2c4a18f36';
const PASSPHRASE = 'correct horse battery staple 7f3a';
const PORT = 8022;
const now = new Date('2026-05-06T07:08:09Z');

let dir: string;
let fresh: FreshKey[];
let rsa: TestKey;
let ecdsa: TestKey;
let privateText: string;
let server: RunningServer;
/** How often each refusal (status and code) was seen, for the summary. */
const refusals = new Map<string, number>();

interface Attempt {
  method: string;
  path: string;
  host: string;
  headers: Record<string, string>;
  body: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Generators

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const anyText = fc.string({ unit: 'binary', maxLength: 60 });

function keyLines(): string[] {
  return [...fresh.map((k) => k.publicLine), rsa.publicLine, ecdsa.publicLine];
}

/** An existing authorized_keys: keys, foreign options, comments, garbage, any line ending. */
function fileText(): fc.Arbitrary<string> {
  const [first, second] = keyLines();
  const fragment = fc.constantFrom(
    `${first}`,
    `restrict,pty ${second}`,
    `command="echo \\"hi\\"",no-pty ${rsa.publicLine}`,
    `expiry-time="20200101" ${ecdsa.publicLine}`,
    `unknown-option ${second}`,
    `from="10.*,!10.1.*" ${ecdsa.publicLine}`,
    '# keysmith name=x added=2026-01-02T03:04:05Z',
    '# a comment',
    '',
    '   ',
    '\r',
    '\t\u0001\u0085',
    'garbage',
    'ssh-ed25519 AAAA',
    '\uFEFF',
    'é ☃',
  );
  return fc
    .array(fc.tuple(fc.array(fragment, { maxLength: 3 }), fc.constantFrom('\n', '\r\n', '')), {
      maxLength: 8,
    })
    .map((lines) => lines.map(([parts, eol]) => parts.join('') + eol).join(''));
}

function publicKeyField(): fc.Arbitrary<string> {
  const line = fc.constantFrom(...keyLines());
  return fc.oneof(
    { weight: 10, arbitrary: line },
    line.chain((l) =>
      printable.map((comment) => `${l.split(' ').slice(0, 2).join(' ')} ${comment}`),
    ),
    line.chain((l) => anyText.map((comment) => `${l.split(' ').slice(0, 2).join(' ')} ${comment}`)),
    line.map((l) => `${l}\ncommand="id" ${l}`),
    line.map((l) => `restrict ${l}`),
    line.map((l) => `${l}\r\n`),
    line.map((l) => l.replace(/A/g, 'B')),
    line.map((l) => l.slice(0, 40)),
    fc.constant(privateText),
    fc.constant(PASSPHRASE),
    anyText,
  );
}

/** A create request: each field mostly valid, sometimes hostile, sometimes absent. */
function requestBody(): fc.Arbitrary<string> {
  const future = fc
    .integer({ min: 2, max: 3000 })
    .map((days) => new Date(now.getTime() + days * 86_400_000).toISOString());
  const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 4, arbitrary: valid }, hostile);
  return fc
    .record(
      {
        publicKey: publicKeyField(),
        name: mostly(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), fc.oneof(printable, anyText)),
        expiresAt: mostly(future, fc.oneof(fc.constant('2020-01-01T00:00:00Z'), printable)),
        from: fc.array(
          mostly(fc.constantFrom('10.0.0.0/8', '*.example.org', '!192.168.1.1', '::1'), printable),
          { minLength: 1, maxLength: 3 },
        ),
        access: mostly(fc.constantFrom('restricted', 'interactive', 'full'), printable),
        passphrase: fc.constant(PASSPHRASE),
        privateKey: fc.constant(privateText),
      },
      { requiredKeys: ['publicKey'] },
    )
    .map((r) => {
      // Unknown fields are refused (strict schema): keep them rare, or nothing is ever added.
      const { passphrase, privateKey, ...rest } = r;
      return JSON.stringify(
        passphrase !== undefined && privateKey !== undefined ? { ...rest, passphrase } : rest,
      );
    });
}

function bodyText(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: requestBody() },
    fc.jsonValue().map((v) => JSON.stringify(v)),
    anyText,
  );
}

function fingerprintText(): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        ...fresh.map((k) => k.fingerprint),
        rsa.fingerprint,
        ecdsa.fingerprint,
      ),
    },
    fc
      .constantFrom(...fresh.map((k) => k.fingerprint))
      .map((fp) => fp.replace('SHA256:', 'sha256:')),
    printable,
  );
}

function pathText(): fc.Arbitrary<string> {
  const fingerprint = fingerprintText();
  return fc.oneof(
    fc.constantFrom('/api/me', '/api/ssh-keys', '/api/ssh-keys/', '/api', '/api/', '/api/unknown'),
    fingerprint.map((fp) => `/api/ssh-keys/${encodeURIComponent(fp)}`),
    fingerprint.map((fp) => `/api/ssh-keys/${fp.replace(/[^A-Za-z0-9:+/=._-]/g, '')}`),
    fc.constantFrom(
      '/api/ssh-keys/..%2f..%2fetc%2fpasswd',
      '/api/ssh-keys/%2e%2e',
      '/api/%2e%2e/ssh-keys',
      '/api/ssh-keys/%ZZ',
      '/api/ssh-keys/%',
      '/api/ssh-keys/SHA256%3A%00',
      '/api//ssh-keys',
      '/api/ssh-keys/a/b',
      '/api/ssh-keys%2fx',
    ),
  );
}

const GOOD_HEADERS = () => ({
  Authorization: `Bearer ${token}`,
  'Content-Type': 'application/json',
});
const GOOD_HOST = `127.0.0.1:${PORT}`;

/** Anything: method, path, query, Host, credentials, content type, extra headers, body. */
function anyAttempt(): fc.Arbitrary<Attempt> {
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
      path: pathText(),
      query: fc.option(
        fc
          .tuple(printable, printable)
          .map(([k, v]) => `?${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
      ),
      host: fc.oneof(
        { weight: 4, arbitrary: fc.constant(GOOD_HOST) },
        fc.constantFrom(
          `localhost:${PORT}`,
          `evil.example:${PORT}`,
          `127.0.0.1:${PORT + 1}`,
          '127.0.0.1',
        ),
      ),
      auth: fc.oneof(
        { weight: 4, arbitrary: fc.constant({ Authorization: `Bearer ${token}` }) },
        fc.constant({}),
        printable.map((t) => ({ Authorization: `Bearer ${t}` })),
        fc.constant({ Cookie: `keysmith-${PORT}=${token}` }),
        fc.constant({ Authorization: `Bearer ${token}`, Origin: `http://127.0.0.1:${PORT}` }),
        printable.map((o) => ({ Authorization: `Bearer ${token}`, Origin: o })),
      ),
      contentType: fc.oneof(
        { weight: 4, arbitrary: fc.constant('application/json') },
        fc.constantFrom(
          'application/json; charset=utf-8',
          'APPLICATION/JSON',
          'text/plain',
          'application/jsonx',
          '',
        ),
        printable,
      ),
      extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), printable, { maxKeys: 2 }),
      body: bodyText(),
    })
    .map((a) => ({
      method: a.method,
      path: `${a.path}${a.query ?? ''}`,
      host: a.host,
      headers: {
        ...a.extra,
        ...a.auth,
        ...(a.contentType === '' ? {} : { 'Content-Type': a.contentType }),
      },
      body: a.method === 'GET' || a.method === 'HEAD' ? undefined : a.body,
    }));
}

function attempt(): fc.Arbitrary<Attempt> {
  // Signed-in adds and deletes with hostile contents, so that accepted writes are checked too.
  const add = requestBody().map((body): Attempt => ({
    method: 'POST',
    path: '/api/ssh-keys',
    host: GOOD_HOST,
    headers: GOOD_HEADERS(),
    body,
  }));
  const inFiles = fc.constantFrom(
    ...fresh.slice(0, 2).map((k) => k.fingerprint),
    rsa.fingerprint,
    ecdsa.fingerprint,
  );
  const remove = fc
    .oneof({ weight: 3, arbitrary: inFiles }, fingerprintText())
    .map((fp): Attempt => ({
      method: 'DELETE',
      path: `/api/ssh-keys/${encodeURIComponent(fp)}`,
      host: GOOD_HOST,
      headers: { Authorization: `Bearer ${token}` },
      body: undefined,
    }));
  return fc.oneof(
    { weight: 3, arbitrary: anyAttempt() },
    { weight: 3, arbitrary: add },
    { weight: 2, arbitrary: remove },
  );
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Problems with one answer, given the file before and after. */
function check(
  a: Attempt,
  status: number,
  body: string,
  before: string,
  after: string,
  via: string,
): string[] {
  const problems: string[] = [];
  // The path as the server routes it: WHATWG URL parsing resolves `%2e%2e` segments too.
  const pathname = new URL(a.path, 'http://127.0.0.1').pathname;
  secrets.capture(`${via} ${a.method} ${a.path}`, body);
  if (!summary.count(`${via}: no 5xx`, status < 500)) problems.push(`status ${status}: ${body}`);
  const accepted =
    (a.method === 'POST' && status === 201) || (a.method === 'DELETE' && status === 204);
  if (!accepted) {
    if (
      !summary.count(
        `${via}: refused or read-only request leaves the file byte-identical`,
        after === before,
      )
    ) {
      problems.push('file changed on a refused request');
    }
    if (
      status >= 400 &&
      a.method !== 'HEAD' &&
      (pathname === '/api' || pathname.startsWith('/api/'))
    ) {
      const parsed = errorResponseSchema.safeParse(JSON.parse(body));
      if (!parsed.success) problems.push(`bad error body ${body}`);
      else {
        const label = `${status} ${parsed.data.error.code}`;
        refusals.set(label, (refusals.get(label) ?? 0) + 1);
      }
    }
    if (status === 200 && a.method === 'GET' && pathname === '/api/ssh-keys') {
      const listed = listKeysResponseSchema.parse(JSON.parse(body));
      const same = JSON.stringify(listed.keys) === JSON.stringify(listKeys(before, now));
      if (!summary.count(`${via}: listing equals the file as read`, same))
        problems.push('list differs');
    }
    return problems;
  }
  if (a.method === 'DELETE') {
    const fp = decodeURIComponent(pathname.slice('/api/ssh-keys/'.length));
    const ok =
      after === removeKey(before, fp) &&
      !listKeys(after, now).some((k) => k.fingerprint === fp) &&
      onlyKeyLinesRemoved(before, after, fp);

    if (!summary.count(`${via}: accepted delete removes exactly that key`, ok))
      problems.push('bad delete');
    return problems;
  }
  const { key } = createKeyResponseSchema.parse(JSON.parse(body));
  const problem = checkWrittenLine(a, key, before, after);
  if (!summary.count(`${via}: accepted add is read back as the API reported`, problem === null)) {
    problems.push(problem ?? '');
  }
  return problems;
}

/**
 * Checked without the model's own code: `after` is `before` with some lines taken out, and each
 * line taken out holds that key or is Keysmith's `# keysmith` line right above one. A line the
 * server does not understand is never dropped.
 */
function onlyKeyLinesRemoved(before: string, after: string, fingerprint: string): boolean {
  const blob = listKeys(before, now)
    .find((k) => k.fingerprint === fingerprint)
    ?.publicKey.split(' ')[1];
  if (blob === undefined) return false;
  const lines = (text: string) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const kept = lines(after);
  const old = lines(before);
  let k = 0;
  for (let i = 0; i < old.length; i += 1) {
    const line = old[i] ?? '';
    if (k < kept.length && kept[k] === line) {
      k += 1;
      continue;
    }
    // A last line without its newline may have been given one only if a key was appended; on a
    // removal the line itself must be the key or its metadata.
    const holdsKey = line.split(/\s/).includes(blob);
    const metadataAbove =
      line.startsWith('# keysmith ') && (old[i + 1] ?? '').split(/\s/).includes(blob);
    if (!holdsKey && !metadataAbove) return false;
  }
  return k === kept.length;
}

/** The two appended lines, read as sshd reads them, must say what the API reported. */
function checkWrittenLine(a: Attempt, key: SshKey, before: string, after: string): string | null {
  const kept = before === '' || before.endsWith('\n') ? before : `${before}\n`;
  if (!after.startsWith(kept)) return 'existing bytes changed';
  const appended = after.slice(kept.length);
  const match = /^(# keysmith [^\n]*)\n([^\n]*)\n$/.exec(appended);
  if (match === null) return `appended more than two lines: ${JSON.stringify(appended)}`;
  const keyLine = match[2] ?? '';
  const entry = parseAuthorizedKeysLine(keyLine);
  const request = JSON.parse(a.body ?? '{}') as {
    publicKey: string;
    access?: string;
    from?: string[];
    expiresAt?: string;
  };
  const posted = parsePublicKey(request.publicKey);
  const raw = entry.options.map((o) => (o.value === null ? o.name : `${o.name}="${o.value}"`));
  const expectedAccess = request.access ?? 'restricted';
  const expiry =
    request.expiresAt === undefined ? null : Math.floor(Date.parse(request.expiresAt) / 1000);
  const checks: [string, boolean][] = [
    ['fingerprint', fingerprintSha256(entry.key.blob) === key.fingerprint],
    [
      'same key as posted',
      fingerprintSha256(posted.blob) === key.fingerprint && posted.type === entry.key.type,
    ],
    ['comment', entry.key.comment === key.comment && posted.comment === key.comment],
    // The API shows `type base64 comment` without the space ssh-keygen writes before an
    // empty comment.
    ['public key', formatPublicKey(entry.key).trimEnd() === key.publicKey],
    ['options', JSON.stringify(raw) === JSON.stringify(key.options.raw)],
    ['access', key.access === expectedAccess],
    ['from', JSON.stringify(key.options.from) === JSON.stringify(request.from ?? null)],
    [
      'expiry',
      expiry === null
        ? key.expiresAt === null
        : key.expiresAt !== null && Date.parse(key.expiresAt) / 1000 === expiry,
    ],
    [
      'listed the same',
      JSON.stringify(listKeys(after, now).find((k) => k.line === key.line)) === JSON.stringify(key),
    ],
  ];
  const wrong = checks.filter(([, ok]) => !ok).map(([name]) => name);
  return wrong.length === 0 ? null : `${wrong.join(', ')} differ for ${keyLine}`;
}

beforeAll(async () => {
  dir = makeTestDir('hostile');
  fresh = await freshKeys(12, 'hostile');
  rsa = makeTestKey(dir, 'rsa', { type: 'rsa' });
  ecdsa = makeTestKey(dir, 'ecdsa', { type: 'ecdsa' });
  const encrypted = path.join(dir, 'encrypted');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-f', encrypted]);
  privateText = fs.readFileSync(rsa.privatePath, 'utf8');
  secrets.secret('sign-in token', token);
  restoreConsole = captureConsole(secrets, 'server');
  secrets.secret('passphrase', PASSPHRASE);
  secrets.secret('private key (rsa)', privateText, rsa.publicLine);
  secrets.secret(
    'private key (ecdsa)',
    fs.readFileSync(ecdsa.privatePath, 'utf8'),
    ecdsa.publicLine,
  );
  secrets.secret(
    'private key (encrypted)',
    fs.readFileSync(encrypted, 'utf8'),
    fs.readFileSync(`${encrypted}.pub`, 'utf8'),
  );
  fs.mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true, mode: 0o700 });
  server = await startServer(localModeConfig(token, path.join(dir, 'home')));
}, 60_000);

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  summary.note(
    'app: refused or read-only request leaves the file byte-identical',
    [...refusals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}: ${n}`)
      .join(', '),
  );
  restoreConsole();
  const found = secrets.findings();
  summary.count(`no secret in ${secrets.captured()} captured bodies`, found.length === 0);
  summary.finish();
  expect(found).toEqual([]);
});

describe('hostile requests', () => {
  it(
    'against createApp over the memory store, with real local-mode authentication',
    async () => {
      process.stdout.write(`hostile-input: seed ${seed} (replay with KEYSMITH_SEED=${seed})\n`);
      const auth = createLocalAuth({ token, user: 'ada', port: () => PORT });
      await fc.assert(
        fc.asyncProperty(fileText(), attempt(), async (initial, a) => {
          const store = createMemoryKeyStore(initial, { now: () => now });
          const app = createApp({
            authenticate: (request) => auth.authenticate(request),
            pageGate: (request) => auth.pageGate(request),
            storeFor: () => store,
            now: () => now,
          });
          const response = await app.fetch(
            new Request(`http://${a.host}${a.path}`, {
              method: a.method,
              headers: a.headers,
              ...(a.body === undefined ? {} : { body: a.body }),
            }),
          );
          const body = await response.text();
          const problems = check(a, response.status, body, initial, store.text(), 'app');
          expect(problems).toEqual([]);
        }),
        { numRuns: 1000 * scale, seed },
      );
    },
    120_000 * scale,
  );

  it(
    'against the real server over a file in a temporary home; ssh-keygen agrees',
    async () => {
      const file = path.join(dir, 'home', '.ssh', 'authorized_keys');
      const probe = path.join(dir, 'probe.pub');
      await fc.assert(
        fc.asyncProperty(fileText(), attempt(), async (initial, a) => {
          fs.writeFileSync(file, initial, { mode: 0o600 });
          const response = await httpRequest({
            port: server.port,
            method: a.method,
            path: a.path,
            headers: {
              ...a.headers,
              Host: a.host.replace(String(PORT), String(server.port)),
              // Node's client sends a DELETE body with neither length nor chunking; say it.
              ...(a.body === undefined
                ? {}
                : { 'Content-Length': String(Buffer.byteLength(a.body)) }),
              ...(a.headers.Cookie === undefined
                ? {}
                : { Cookie: a.headers.Cookie.replace(String(PORT), String(server.port)) }),
              ...(a.headers.Origin === `http://127.0.0.1:${PORT}`
                ? { Origin: `http://127.0.0.1:${server.port}` }
                : {}),
            },
            ...(a.body === undefined ? {} : { body: a.body }),
          });
          const after = fs.readFileSync(file, 'utf8');
          const problems = check(a, response.status, response.body, initial, after, 'server');
          if (response.status === 201) {
            // Add then remove gives back every byte (plus the one final LF an append needs).
            const { key: added } = createKeyResponseSchema.parse(JSON.parse(response.body));
            const removal = await httpRequest({
              port: server.port,
              method: 'DELETE',
              path: `/api/ssh-keys/${encodeURIComponent(added.fingerprint)}`,
              headers: { Authorization: `Bearer ${token}` },
            });
            const kept = initial === '' || initial.endsWith('\n') ? initial : `${initial}\n`;
            const roundTrip = removal.status === 204 && fs.readFileSync(file, 'utf8') === kept;
            if (!summary.count('server: add then remove gives back every byte', roundTrip)) {
              problems.push(`add then remove: ${removal.status}`);
            }
            // The real ssh-keygen reads the written line (options and all) as the API said.
            const { key } = createKeyResponseSchema.parse(JSON.parse(response.body));
            const keyLine = after.trimEnd().split('\n').at(-1) ?? '';
            fs.writeFileSync(probe, `${keyLine}\n`);
            const out = execFileSync('ssh-keygen', ['-l', '-f', probe], {
              encoding: 'utf8',
            }).trim();
            // ssh-keygen -l shows the options as the comment of a comment-less line with options
            // (a display quirk of its own; sshd does not read comments), and it takes a comment
            // that starts with "#" for no comment (ssh-keygen.c do_fingerprint), so the comment is
            // compared only when it is one to ssh-keygen; and only in ASCII, which ssh-keygen
            // prints as is (it escapes other characters as octal, depending on the locale).
            const expected =
              key.comment === '' ||
              key.comment.startsWith('#') ||
              !/^[\x20-\x7e]*$/.test(key.comment)
                ? `${key.bits} ${key.fingerprint} `
                : `${key.bits} ${key.fingerprint} ${key.comment} (`;
            if (
              !summary.count(
                'server: ssh-keygen -lf reads the written line as reported',
                out.startsWith(expected),
              )
            ) {
              problems.push(`ssh-keygen: ${out} vs ${expected}`);
            }
          }
          expect(problems).toEqual([]);
        }),
        { numRuns: 150 * scale, seed },
      );
    },
    120_000 * scale,
  );
});
