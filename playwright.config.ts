import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser (the machine has no network beyond the
// package registries). The flags keep Chromium from calling home, which this network refuses.
export default defineConfig({
  testDir: 'e2e',
  // Playwright empties its output folder at the start: its own, so the reliability suite's
  // test-results/reliability-summary.md outlives the end-to-end run.
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  // A test that fails is a failure: no retry to hide a flaky one, and its trace kept instead.
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
});
