/**
 * Crashes: a writer process (writer-child.ts, the real file store) is killed with SIGKILL at a
 * random moment while it adds and removes keys, many times. After every kill the file must be
 * exactly the version before or after the change in flight (the changes are deterministic, so
 * every version is known), still parse, keep its mode and owner, and hold every key whose
 * change was acknowledged. The next writer must get through within 15 s (a dead holder's lock
 * turns stale after at most 10 s) and leave no temporary file and no lock behind.
 *
 * Scale with KEYSMITH_SOAK_SCALE; replay the random kill points with KEYSMITH_SEED.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKey, removeKey } from '../../server/keys-file/edits.ts';
import { listKeys } from '../../server/keys-file/listing.ts';
import { createFileKeyStore } from '../../server/node/file-store/file-key-store.ts';
import { makeTestDir } from '../sshd.ts';
import { freshKeys, type FreshKey } from './fresh-keys.ts';
import { nodeArgs, REPO_ROOT } from './node-script.ts';
import { runSeed, seededRandom, soakScale } from './soak-scale.ts';
import { createSummary } from './summary-table.ts';

const scale = soakScale();
const seed = runSeed();
const random = seededRandom(seed);
const summary = createSummary('crashes');
const TRIALS = 100 * scale;
const PARALLEL = 4;
const MODE = 0o640;
const OWNER = { uid: 4242, gid: 4343 };
const now = new Date('2026-05-06T07:08:09Z');
const children = new Set<ChildProcess>();

type Op = { op: 'add'; publicKey: string; name: string } | { op: 'remove'; fingerprint: string };

let dir: string;
let foreign: FreshKey[];
let pool: FreshKey[];
let extra: FreshKey[];
let initial: string;
let ops: Op[];
/** versions[j] is the file after j operations. */
let versions: string[];

function key(list: readonly FreshKey[], index: number): FreshKey {
  const found = list[index];
  if (found === undefined) throw new Error(`no key ${index}`);
  return found;
}

function apply(text: string, op: Op): string {
  return op.op === 'add'
    ? addKey(text, { publicKey: op.publicKey, name: op.name }, now).text
    : removeKey(text, op.fingerprint);
}

function fingerprints(text: string): Set<string> {
  return new Set(listKeys(text, now).map((k) => k.fingerprint));
}

/** Files in ~/.ssh other than authorized_keys: temporary files and the lock directory. */
function leftovers(sshDir: string): string[] {
  return fs.readdirSync(sshDir).filter((name) => name !== 'authorized_keys');
}

function makeHome(index: number): { home: string; file: string } {
  const home = path.join(dir, `home${index}`);
  const file = path.join(home, '.ssh', 'authorized_keys');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(file), 0o700);
  fs.writeFileSync(file, initial);
  fs.chmodSync(file, MODE);
  fs.chownSync(file, OWNER.uid, OWNER.gid);
  return { home, file };
}

interface Killed {
  acked: number;
  output: string;
  /** Milliseconds from `ready` to the last acknowledgement. */
  ran: number;
}

/** Starts the writer, kills it `delayMs` after it is loaded, and reports what it acknowledged. */
function runAndKill(home: string, file: string, delayMs: number): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const job = { path: file, home, now: now.toISOString(), ops };
    const child = spawn(
      process.execPath,
      [...nodeArgs('testing/reliability/writer-child'), JSON.stringify(job)],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(child);
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    let readyAt = 0;
    let lastAckAt = 0;
    const safety = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (chunk.includes('ack ')) lastAckAt = performance.now();
      if (timer === undefined && output.startsWith('ready\n')) {
        readyAt = performance.now();
        timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(safety);
      if (timer !== undefined) clearTimeout(timer);
      children.delete(child);
      if (!output.startsWith('ready\n')) {
        reject(new Error(`writer never got ready:\n${output}`));
        return;
      }
      const acks = output.match(/^ack \d+$/gm) ?? [];
      if (/^fail /m.test(output)) {
        reject(new Error(`writer refused a change:\n${output}`));
        return;
      }
      resolve({ acked: acks.length, output, ran: lastAckAt - readyAt });
    });
  });
}

interface NextWrite {
  ok: boolean;
  ms: number;
  clean: boolean;
  detail: string;
}

/** The next writer after a crash: must succeed, in time, and leave nothing behind. */
async function nextWrite(home: string, file: string, fresh: FreshKey): Promise<NextWrite> {
  const before = fs.readFileSync(file, 'utf8');
  const store = createFileKeyStore({ path: file, home, user: 'ada', now: () => now });
  const started = performance.now();
  try {
    await store.add({ publicKey: fresh.publicLine, name: 'after-crash' }, now);
  } catch (error) {
    return { ok: false, ms: performance.now() - started, clean: false, detail: String(error) };
  }
  const ms = performance.now() - started;
  const after = fs.readFileSync(file, 'utf8');
  const expected = addKey(before, { publicKey: fresh.publicLine, name: 'after-crash' }, now).text;
  const left = leftovers(path.dirname(file));
  return {
    ok: after === expected,
    ms,
    clean: left.length === 0,
    detail: `left ${JSON.stringify(left)}`,
  };
}

beforeAll(async () => {
  dir = makeTestDir('crash');
  foreign = await freshKeys(2, 'foreign');
  pool = await freshKeys(5, 'crash');
  extra = await freshKeys(TRIALS, 'next');
  // A file with everything Keysmith must keep: CRLF, a foreign option, a blank line, a line
  // sshd skips, and a last line without its final newline.
  initial = [
    '# team keys\r\n',
    `no-pty,from="10.0.0.0/8" ${key(foreign, 0).publicLine}\r\n`,
    '\n',
    'garbage that sshd skips\n',
    key(foreign, 1).publicLine,
  ].join('');
  const add = (i: number): Op => ({
    op: 'add',
    publicKey: key(pool, i).publicLine,
    name: `crash-${i}`,
  });
  const remove = (k: FreshKey): Op => ({ op: 'remove', fingerprint: k.fingerprint });
  ops = [
    add(0),
    add(1),
    remove(key(pool, 0)),
    add(2),
    remove(key(foreign, 0)),
    add(3),
    remove(key(pool, 1)),
    add(4),
    add(0),
    remove(key(pool, 3)),
  ];
  versions = [initial];
  for (const op of ops) versions.push(apply(versions.at(-1) ?? '', op));
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
  summary.finish();
});

describe('temporary files of a dead writer', () => {
  it('are removed by the next change, and nothing else is', async () => {
    const { home, file } = makeHome(TRIALS + 1);
    const sshDir = path.dirname(file);
    const dead = path.join(sshDir, '.authorized_keys.keysmith-0123456789ab');
    const notOurs = ['.authorized_keys.keysmith-notmine', 'authorized_keys.keysmith-0123456789ab'];
    fs.writeFileSync(dead, 'half a file');
    for (const name of notOurs) fs.writeFileSync(path.join(sshDir, name), 'keep me');
    const store = createFileKeyStore({ path: file, home, user: 'ada', now: () => now });
    await store.add({ publicKey: key(extra, 0).publicLine }, now);
    expect(fs.existsSync(dead)).toBe(false);
    expect(leftovers(sshDir).sort()).toEqual([...notOurs].sort());
  });
});

describe('a writer killed with SIGKILL at random points', () => {
  it(
    `leaves the old or the new file, every acknowledged key, its mode and owner (${TRIALS} kills)`,
    async () => {
      process.stdout.write(`crashes: seed ${seed} (replay with KEYSMITH_SEED=${seed})\n`);
      const problems: string[] = [];
      const followUps: Promise<void>[] = [];
      const landed = new Map<number, number>();
      let maxWait = 0;
      let stale = 0;
      let temps = 0;

      const trial = async (index: number, delayMs: number) => {
        const { home, file } = makeHome(index);
        const { acked, output } = await runAndKill(home, file, delayMs);
        landed.set(acked, (landed.get(acked) ?? 0) + 1);
        const text = fs.readFileSync(file, 'utf8');
        const oldVersion = versions[acked] ?? '';
        const newVersion = versions[acked + 1];
        const where = `trial ${index} (delay ${delayMs.toFixed(1)} ms, ${acked} acked)`;

        if (
          !summary.count(
            'file is exactly the old or the new version',
            text === oldVersion || text === newVersion,
          )
        ) {
          problems.push(
            `${where}: file is neither version ${acked} nor ${acked + 1}:\n${text}\n${output}`,
          );
        }
        let parsed = true;
        try {
          listKeys(text, now);
        } catch {
          parsed = false;
        }
        if (!summary.count('file parses', parsed)) problems.push(`${where}: listKeys threw`);

        // Every key present after the last acknowledged change is still there, unless the one
        // change in flight (not acknowledged) removed it.
        const inFlight = ops[acked];
        const mustHave = [...fingerprints(oldVersion)].filter(
          (fp) => !(inFlight?.op === 'remove' && inFlight.fingerprint === fp),
        );
        const have = fingerprints(text);
        const lost = mustHave.filter((fp) => !have.has(fp));
        if (!summary.count('every acknowledged key kept', lost.length === 0)) {
          problems.push(`${where}: lost ${lost.join(', ')}`);
        }

        const stat = fs.statSync(file);
        const dirMode = fs.statSync(path.dirname(file)).mode & 0o7777;
        const modesKept =
          (stat.mode & 0o7777) === MODE &&
          stat.uid === OWNER.uid &&
          stat.gid === OWNER.gid &&
          dirMode === 0o700;
        if (!summary.count('mode and owner kept', modesKept)) {
          problems.push(
            `${where}: mode ${(stat.mode & 0o7777).toString(8)} owner ${stat.uid}:${stat.gid}`,
          );
        }

        const left = leftovers(path.dirname(file));
        if (left.some((name) => name.endsWith('.lock'))) stale += 1;
        if (left.some((name) => !name.endsWith('.lock'))) temps += 1;

        followUps.push(
          nextWrite(home, file, key(extra, index)).then((next) => {
            maxWait = Math.max(maxWait, next.ms);
            if (
              !summary.count('next writer gets through within 15 s', next.ok && next.ms <= 15_000)
            ) {
              problems.push(
                `${where}: next writer failed after ${next.ms.toFixed(0)} ms: ${next.detail}`,
              );
            }
            if (!summary.count('no temporary file or lock left after the next write', next.clean)) {
              problems.push(`${where}: next writer left files behind: ${next.detail}`);
            }
          }),
        );
      };

      // Kill points spread over the whole run, from before the first write to after the last:
      // first time one uninterrupted run on this machine, under the same load.
      const calibration = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => {
          const { home, file } = makeHome(TRIALS + 2 + i);
          return runAndKill(home, file, 60_000).then((run) => run.ran);
        }),
      );
      const span = Math.max(...calibration) * 1.1;
      summary.note(
        'file parses',
        `kill points spread over ${span.toFixed(0)} ms after start-up (1.1 × a full run)`,
      );
      const started = performance.now();
      const delays = Array.from({ length: TRIALS }, () => random() * span);
      for (let start = 0; start < TRIALS; start += PARALLEL) {
        await Promise.all(
          delays.slice(start, start + PARALLEL).map((delay, i) => trial(start + i, delay)),
        );
      }
      await Promise.all(followUps);
      summary.note(
        'mode and owner kept',
        `the ${TRIALS} trials took ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );

      const histogram = [...landed.entries()]
        .sort(([a], [b]) => a - b)
        .map(([acked, n]) => `${acked}:${n}`)
        .join(' ');
      summary.note(
        'file is exactly the old or the new version',
        `kills by changes acked: ${histogram}`,
      );
      summary.note(
        'next writer gets through within 15 s',
        `max ${(maxWait / 1000).toFixed(1)} s; ${stale} kills left a lock`,
      );
      summary.note(
        'no temporary file or lock left after the next write',
        `${temps} kills left a temporary file`,
      );
      expect(problems, `seed ${seed}`).toEqual([]);
      // The kills must really land mid-run, not only before or after every change.
      expect(
        [...landed.keys()].filter((acked) => acked > 0 && acked < ops.length).length,
      ).toBeGreaterThan(2);
    },
    240_000 * scale,
  );
});
