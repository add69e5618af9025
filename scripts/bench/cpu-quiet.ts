/**
 * Waiting for the machine to go quiet before a timed step, so that a figure times its own
 * step and not the tail of whatever the harness did just before.
 *
 * Chromium's headless mode builds browser UI (the omnibox popup's WebUI) in another renderer for
 * every window Playwright opens, on the cores the timed page load needs; a person's browser
 * built its window long before they navigate.
 */
import { readFileSync } from 'node:fs';

/** Busy CPU time of the whole machine, in clock ticks: user, nice, system, irq and softirq. */
function busyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal …: idle, iowait and steal are not
  // work done here.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user + nice + system + irq + softirq;
}

const SAMPLE_MS = 50;
/** At most one tick (10 ms) of work per 50 ms sample on the whole machine counts as quiet. */
const QUIET_TICKS_PER_SAMPLE = 1;

export interface QuietResult {
  /** How long it waited. */
  waitedMs: number;
  /** False when the machine did not go quiet within `maxMs` (the step then runs anyway). */
  quiet: boolean;
}

/** Resolves once the machine has done (almost) no work for `quietMs`, or after `maxMs`. */
export async function waitForQuietCpu(quietMs = 200, maxMs = 5000): Promise<QuietResult> {
  const start = performance.now();
  let last = busyTicks();
  let quietSince = start;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const now = performance.now();
    const ticks = busyTicks();
    if (ticks - last > QUIET_TICKS_PER_SAMPLE) quietSince = now;
    last = ticks;
    if (now - quietSince >= quietMs) return { waitedMs: now - start, quiet: true };
    if (now - start >= maxMs) return { waitedMs: now - start, quiet: false };
  }
}
