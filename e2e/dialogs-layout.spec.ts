import { readFileSync } from 'node:fs';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { ensureTestUser, type TestUser } from '../src/testing/sshd.ts';
import { expectNoAxeViolations } from './fixtures/axe.ts';
import { startKeysmith, type RunningKeysmith } from './fixtures/keysmith-server.ts';

// The dialogs as a laptop shows them (1280×800), in light and dark colours, against the real
// server; one tab for the whole story, in order.
test.describe.configure({ mode: 'serial' });

let user: TestUser;
let keysmith: RunningKeysmith;
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  user = ensureTestUser('keysmith-e2e');
  keysmith = await startKeysmith(user);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: keysmith.origin,
  });
  page = await context.newPage();
  await page.goto(keysmith.signInUrl);
  await page.goto(`${keysmith.origin}/ssh-keys`);
  await expect(page.getByText('No SSH keys found')).toBeVisible();
});

test.afterAll(async () => {
  await context.close();
  await keysmith.stop();
});

/** Entirely inside the window as it is, without scrolling anything. */
async function expectInViewport(locator: Locator) {
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  if (box === null) return;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(800);
}

function fileText(): string {
  try {
    return readFileSync(keysmith.authorizedKeys, 'utf8');
  } catch {
    return '';
  }
}

test('at 1280×800 the dialogs keep their actions in view while the body scrolls', async () => {
  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByText('Advanced').click();
  await expectInViewport(dialog.getByRole('button', { name: 'Generate Key' }));
  await expectInViewport(dialog.getByRole('button', { name: 'Cancel' }));
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: '+ New Key' })).toBeFocused();

  await page.getByRole('button', { name: 'Import Key' }).click();
  const importDialog = page.getByRole('dialog', { name: 'Import Key' });
  await importDialog.getByText('Advanced').click();
  await expectInViewport(importDialog.getByRole('button', { name: 'Add Key' }));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Import Key' })).toBeFocused();
});

test('discarding an unsaved key removes it from authorized_keys; "Go back" keeps focus in the dialog', async () => {
  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByLabel('Name').fill('never-saved');
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toBeVisible();
  await expectInViewport(generated.getByRole('button', { name: 'Close' }));
  expect(fileText()).toContain('never-saved');

  const close = generated.getByRole('button', { name: 'Close' });
  await close.click();
  const confirm = page.getByRole('alertdialog', { name: 'Close without saving the key?' });
  await expect(
    confirm.getByRole('checkbox', { name: 'Also remove the key from the server' }),
  ).toBeChecked();
  await confirm.getByRole('button', { name: 'Go back' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(close).toBeFocused();

  await page.keyboard.press('Escape');
  await confirm.getByRole('button', { name: 'Close without saving' }).click();
  await expect(generated).toHaveCount(0);
  expect(fileText()).not.toContain('never-saved');
  await expect(page.getByText('No SSH keys found')).toBeVisible();
});

test('"Copied" does not move Download; a kept key is announced and focused in the list', async () => {
  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByLabel('Name').fill('kept-key');
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  const download = generated.getByRole('button', { name: 'Download' });
  const before = await download.boundingBox();
  await generated.getByRole('button', { name: 'Copy Private Key' }).click();
  await expect(generated.getByText('Copied').first()).toBeVisible();
  expect(await download.boundingBox()).toEqual(before);
  await expect(generated.getByLabel('Randomart of the key')).toBeHidden();

  await generated.getByRole('button', { name: 'Close' }).click();
  await expect(generated).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'kept-key', exact: true })).toBeFocused();
  await expect(page.locator('[aria-live="polite"]')).toHaveText('Key added: kept-key.');
});

test('dark mode: dark colours, and axe finds no contrast problem on the page or in the dialogs', async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const surface = await page
    .locator('.app-header')
    .evaluate((element) => getComputedStyle(element).backgroundColor);
  for (const colour of [background, surface]) {
    const [r = 255, g = 255, b = 255] = (colour.match(/\d+/g) ?? []).map(Number);
    expect(r + g + b, colour).toBeLessThan(150);
  }
  await expectNoAxeViolations(page, 'SSH Keys page, dark');

  await page.getByRole('button', { name: '+ New Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate SSH Key' });
  await dialog.getByRole('button', { name: 'Generate Key' }).click();
  const generated = page.getByRole('dialog', { name: 'SSH Key Generated' });
  await expect(generated).toBeVisible();
  await expectNoAxeViolations(page, 'SSH Key Generated, dark');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('alertdialog')).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/10-dark-mode.png' });
  await expectNoAxeViolations(page, 'close confirmation, dark');
  await page.getByRole('button', { name: 'Close without saving' }).click();

  await page.getByRole('button', { name: 'Import Key' }).click();
  const importDialog = page.getByRole('dialog', { name: 'Import Key' });
  await importDialog.getByRole('button', { name: 'Add Key' }).click();
  await expect(importDialog.getByRole('alert')).toBeVisible();
  await expectNoAxeViolations(page, 'Import Key with an error, dark');
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'Keysmith' }).click();
  await expect(page.getByRole('link', { name: 'SSH Keys' })).toBeVisible();
  await expectNoAxeViolations(page, 'landing page, dark');
  await page.emulateMedia({ colorScheme: 'light' });
});
