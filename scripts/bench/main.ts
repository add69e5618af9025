/**
 * `npm run bench` (node --import tsx scripts/bench/main.ts): every performance figure of the
 * README on this machine, each with our number, the reference measured in the same run, the
 * ratio, the target and PASS/FAIL; exits 1 when a target is missed.
 *
 *   --no-build          use the existing dist/ instead of running `npm run build` first
 *   --only=kdf,browser,server,proxy   run only these groups
 *   --runs=N            runs per timed figure (default 9)
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { browserFigures } from './browser-figures.ts';
import { waitForQuietCpu } from './cpu-quiet.ts';
import { kdfFigures } from './kdf-figure.ts';
import { proxyFigures } from './proxy-figures.ts';
import { serverFigures } from './server-figures.ts';
import { formatFigure, loadAverage, type Figure } from './stats.ts';

const GROUPS = ['kdf', 'browser', 'server', 'proxy'] as const;
type Group = (typeof GROUPS)[number];

function parseArgs(argv: readonly string[]): { build: boolean; only: Set<Group>; runs: number } {
  let build = true;
  let only = new Set<Group>(GROUPS);
  let runs = 9;
  for (const arg of argv) {
    if (arg === '--no-build') build = false;
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',');
      const unknown = names.filter((name) => !GROUPS.some((group) => group === name));
      if (unknown.length > 0) {
        throw new Error(`Unknown group ${unknown.join(', ')}: use ${GROUPS.join(', ')}.`);
      }
      only = new Set(GROUPS.filter((group) => names.includes(group)));
    } else if (arg.startsWith('--runs=')) {
      runs = Number(arg.slice('--runs='.length));
      if (!Number.isInteger(runs) || runs < 3 || runs > 100) {
        throw new Error('--runs must be an integer from 3 to 100.');
      }
    } else {
      throw new Error(`Unknown argument ${arg}: see the comment at the top of ${import.meta.url}.`);
    }
  }
  return { build, only, runs };
}

async function main(): Promise<number> {
  const { build, only, runs } = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    throw new Error('Run the benchmarks as root: the server runs as a dedicated test user.');
  }
  if (build) {
    process.stdout.write('Building (npm run build)…\n');
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `\nKeysmith benchmarks: ${cpus().length} × ${cpu}, Node ${process.version}, load average before ${loadAverage(loadavg())}\n\n`,
  );
  const figures: Figure[] = [];
  const print = (list: Figure[]) => {
    process.stdout.write(`(load average now ${loadAverage(loadavg())})\n\n`);
    for (const figure of list) process.stdout.write(`${formatFigure(figure)}\n\n`);
    figures.push(...list);
  };
  // Each group starts once the build, or the group before, has stopped working the CPUs.
  const settle = () => waitForQuietCpu(500, 10_000);
  if (only.has('kdf')) print(await settle().then(() => kdfFigures(runs)));
  if (only.has('browser')) print(await settle().then(() => browserFigures(runs)));
  if (only.has('server')) print(await settle().then(() => serverFigures()));
  if (only.has('proxy')) print(await settle().then(() => proxyFigures()));
  const failed = figures.filter((figure) => figure.verdict === 'FAIL');
  process.stdout.write(
    `Load average after: ${loadAverage(loadavg())}. ${figures.length} figures, ${failed.length} missed their target${failed.length > 0 ? `: ${failed.map((f) => f.title).join('; ')}` : ''}.\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
