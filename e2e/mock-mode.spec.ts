import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';

// `npm run dev` is mock mode: Vite serves the app and msw answers /api in the tab, running the
// server's own routes over an in-memory authorized_keys. No Keysmith server runs here.
let vite: ChildProcess;
let origin: string;

test.beforeAll(async () => {
  vite = spawn(process.execPath, [resolve('node_modules/vite/bin/vite.js'), '--port', '0'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  origin = await new Promise<string>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`vite printed no URL in 30 s:\n${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        done(match[1]);
      }
    };
    vite.stdout?.on('data', onData);
    vite.stderr?.on('data', onData);
    vite.once('exit', (code) => fail(new Error(`vite exited with ${code}:\n${output}`)));
  });
});

test.afterAll(async () => {
  if (vite.exitCode !== null) return;
  const exited = new Promise<void>((done) => vite.once('exit', () => done()));
  vite.kill('SIGTERM');
  await exited;
});

test('npm run dev: the page says it is mock mode, and keys live in the tab', async ({ page }) => {
  const apiAnswers: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) apiAnswers.push(response.status());
  });
  await page.goto(`${origin}/ssh-keys`);
  await expect(page.getByText('Mock mode — no server; keys live in this tab.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Profile menu: ada' })).toBeVisible();
  await expect(page.getByText('No SSH keys found')).toBeVisible();

  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByLabel('Name').fill('mock-key');
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toBeVisible();
  await generated.getByRole('button', { name: 'Close' }).click();
  // Kept in the file on purpose here, so the list below has it.
  await page.getByRole('checkbox', { name: 'Also remove the key from the server' }).uncheck();
  await page.getByRole('button', { name: 'Close without saving' }).click();
  const mockKey = page.getByRole('listitem', { name: 'mock-key' });
  await mockKey.getByRole('button', { name: 'mock-key', exact: true }).click();
  await expect(mockKey).toContainText('by Keysmith');
  // Answered by the server's own app inside the tab: 201 Created for the POST.
  expect(apiAnswers).toContain(201);

  // A reload empties the in-memory file.
  await page.reload();
  await expect(page.getByText('No SSH keys found')).toBeVisible();
});

test('npm run dev with ?mock-policy=: the mock serves that policy and refuses adds against it', async ({
  page,
}) => {
  const policy = { maxLifetimeDays: 60, requireFrom: true };
  await page.goto(`${origin}/ssh-keys?mock-policy=${encodeURIComponent(JSON.stringify(policy))}`);
  await expect(page.getByText('Mock mode — no server; keys live in this tab.')).toBeVisible();
  const answers = await page.evaluate(async () => {
    const served: unknown = await (await fetch('/api/policy')).json();
    const refused = await fetch('/api/ssh-keys', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        publicKey:
          'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x',
      }),
    });
    return { served, status: refused.status, body: (await refused.json()) as unknown };
  });
  expect(answers.served).toMatchObject(policy);
  expect(answers.status).toBe(400);
  expect(answers.body).toMatchObject({ error: { code: 'policy' } });
});
