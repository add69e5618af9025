import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, request, test, type BrowserContext, type Page } from '@playwright/test';
import { auditEventSchema } from '../src/server/http/audit-event.ts';
import { httpRequest } from '../src/testing/http.ts';
import { sshKeygen } from '../src/testing/ssh-keygen.ts';
import { ensureTestUser, makeTestDir, resetSshDir, type TestUser } from '../src/testing/sshd.ts';

// Proxy mode behind Debian's nginx running deploy/nginx/keysmith.conf itself (TLS, basic auth,
// proxy_bind 127.0.0.2), Keysmith as root from the built app with a --config file.
test.describe.configure({ mode: 'serial' });

const PASSWORD = 'correct horse battery staple';
let user: TestUser;
let dir: string;
let nginx: ChildProcess;
let keysmith: ChildProcess;
let keysmithPort: number;
let nginxOrigin: string;
let context: BrowserContext;
let page: Page;
const output: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the first match of `pattern` in the child's output (15 s limit). */
function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  name: string,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} said nothing within 15 s:\n${text}`)),
      15_000,
    );
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      output.push(chunk.toString());
      const match = pattern.exec(text);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${text}`));
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Waits until nginx answers on its port (it prints nothing when it is ready). */
async function waitForNginx(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await httpRequest({ port, path: '/' });
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(
    `nginx does not answer on ${port}: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`,
  );
}

test.beforeAll(async ({ browser }) => {
  user = ensureTestUser('keysmith.ngx');
  resetSshDir(user);
  dir = makeTestDir('nginx');
  fs.chmodSync(dir, 0o755);
  const nginxPort = await freePort();
  nginxOrigin = `https://127.0.0.1:${nginxPort}`;

  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      auth: 'proxy',
      host: '127.0.0.1',
      port: 8022,
      'trusted-proxy': ['127.0.0.2'],
      'public-url': nginxOrigin,
      'audit-log': path.join(dir, 'audit.log'),
    }),
  );
  keysmith = spawn(
    process.execPath,
    [
      path.resolve('dist/node/cli/main.js'),
      'serve',
      '--config',
      path.join(dir, 'config.json'),
      '--port',
      '0',
    ],
    {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const started = await waitForOutput(
    keysmith,
    /proxy mode on http:\/\/127\.0\.0\.1:(\d+)/,
    'keysmith serve',
  );
  keysmithPort = Number(started[1]);

  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      path.join(dir, 'tls.key'),
      '-out',
      path.join(dir, 'tls.pem'),
    ],
    { stdio: 'ignore' },
  );
  const hash = execFileSync('openssl', ['passwd', '-apr1', PASSWORD], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(dir, 'htpasswd'), `${user.name}:${hash}\n`, { mode: 0o644 });

  const shipped = fs.readFileSync('deploy/nginx/keysmith.conf', 'utf8');
  const site = [
    ['listen 443 ssl;', `listen 127.0.0.1:${nginxPort} ssl;`],
    ['/etc/ssl/certs/keys.example.org.pem', path.join(dir, 'tls.pem')],
    ['/etc/ssl/private/keys.example.org.key', path.join(dir, 'tls.key')],
    ['/etc/nginx/keysmith.htpasswd', path.join(dir, 'htpasswd')],
    ['http://127.0.0.1:8022;', `http://127.0.0.1:${keysmithPort};`],
  ].reduce((text, [from = '', to = '']) => {
    expect(text, `deploy/nginx/keysmith.conf still holds ${from}`).toContain(from);
    return text.replaceAll(from, to);
  }, shipped);
  fs.writeFileSync(path.join(dir, 'keysmith.conf'), site);
  const temp = (name: string) => `${name} ${path.join(dir, name)};`;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} info;`,
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${path.join(dir, 'access.log')};`,
      ...[
        'client_body_temp_path',
        'proxy_temp_path',
        'fastcgi_temp_path',
        'uwsgi_temp_path',
        'scgi_temp_path',
      ].map(temp),
      `  include ${path.join(dir, 'keysmith.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  nginx = spawn(
    '/usr/sbin/nginx',
    ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  nginx.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  await waitForNginx(nginxPort);

  context = await browser.newContext({
    ignoreHTTPSErrors: true,
    httpCredentials: { username: user.name, password: PASSWORD },
  });
  page = await context.newPage();
});

test.afterAll(async () => {
  await context.close();
  await stop(nginx);
  await stop(keysmith);
  resetSshDir(user);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the user the proxy signed in is served: the page shows them, an imported key lands in their file, owned by them', async () => {
  await page.goto(`${nginxOrigin}/ssh-keys`);
  await expect(page.getByRole('button', { name: `Profile menu: ${user.name}` })).toBeVisible();
  await expect(page.getByText('No SSH keys found')).toBeVisible();

  const key = sshKeygen('ed25519', 'through-nginx');
  await page.getByRole('button', { name: 'Import Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import Key' });
  await dialog.getByLabel('Public key').fill(key.publicKey);
  await dialog.getByLabel('Name').fill('behind-nginx');
  await dialog.getByRole('button', { name: 'Add Key' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('listitem', { name: 'behind-nginx' })).toContainText(key.fingerprint);

  const file = path.join(user.home, '.ssh', 'authorized_keys');
  expect(fs.readFileSync(file, 'utf8')).toContain(key.publicKey.split(' ')[1]);
  expect(fs.statSync(file).uid).toBe(user.uid);

  // The audit trail names the user and the browser's address as nginx saw it.
  const lines = fs.readFileSync(path.join(dir, 'audit.log'), 'utf8').trim().split('\n');
  expect(auditEventSchema.parse(JSON.parse(lines.at(-1) ?? ''))).toMatchObject({
    user: user.name,
    action: 'add',
    fingerprint: key.fingerprint,
    source: '127.0.0.1',
    result: 'ok',
  });
});

test("a user header sent by the client is replaced by the proxy's", async () => {
  const response = await context.request.get(`${nginxOrigin}/api/me`, {
    headers: { 'X-Forwarded-User': 'root', 'x-forwarded-user': 'root' },
  });
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ user: user.name, mode: 'proxy' });

  // Without signing in to the proxy, the header alone gets nowhere.
  const anonymous = await request.newContext({ ignoreHTTPSErrors: true });
  const refused = await anonymous.get(`${nginxOrigin}/api/me`, {
    headers: { 'X-Forwarded-User': user.name },
  });
  expect(refused.status()).toBe(401);
  await anonymous.dispose();
});

test('a request straight to Keysmith, not from the proxy, is refused', async () => {
  for (const urlPath of ['/api/me', '/api/ssh-keys', '/ssh-keys']) {
    const response = await httpRequest({
      port: keysmithPort,
      path: urlPath,
      headers: { 'X-Forwarded-User': user.name },
    });
    expect(response.status, urlPath).toBe(403);
  }
});

test('the oauth2-proxy example, which is not run, is at least a configuration nginx accepts', () => {
  const example = fs
    .readFileSync('deploy/nginx/keysmith-oauth2-proxy.conf', 'utf8')
    .replaceAll('/etc/ssl/certs/keys.example.org.pem', path.join(dir, 'tls.pem'))
    .replaceAll('/etc/ssl/private/keys.example.org.key', path.join(dir, 'tls.key'));
  fs.writeFileSync(path.join(dir, 'oauth2-proxy.conf'), example);
  const main = fs
    .readFileSync(path.join(dir, 'nginx.conf'), 'utf8')
    .replace(path.join(dir, 'keysmith.conf'), path.join(dir, 'oauth2-proxy.conf'))
    .replace(`pid ${path.join(dir, 'nginx.pid')};`, `pid ${path.join(dir, 'check.pid')};`);
  fs.writeFileSync(path.join(dir, 'check.conf'), main);
  const check = spawnSync(
    '/usr/sbin/nginx',
    ['-t', '-p', dir, '-c', path.join(dir, 'check.conf'), '-e', path.join(dir, 'check.log')],
    { encoding: 'utf8', timeout: 15_000 },
  );
  expect(check.stderr).toContain('test is successful');
});

test('/healthz answers through nginx without sign-in, naming no one', async () => {
  const anonymous = await request.newContext({ ignoreHTTPSErrors: true });
  const response = await anonymous.get(`${nginxOrigin}/healthz`);
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
  await anonymous.dispose();
  expect(output.join('')).not.toContain(PASSWORD);
});
