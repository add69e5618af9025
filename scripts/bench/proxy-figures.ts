/**
 * The proxy group of `npm run bench`: the real server as root in proxy mode with its default
 * pool of per-user helper processes, 200 real test users (`keysmith-bench-001` … `-200`,
 * created on the first run and left in place for the next, like the other test users), requests
 * from the trusted proxy address over 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeTestKey, type TestKey } from '../../src/testing/ssh-keygen.ts';
import { ensureTestUser, makeTestDir, resetSshDir, type TestUser } from '../../src/testing/sshd.ts';
import { DEFAULT_POOL_OPTIONS } from '../../src/server/node/user-process/user-process-pool.ts';
import { sampleMemory } from './memory-sampler.ts';
import { atMost, percentile, type Figure } from './stats.ts';

const USERS = 200;
const AT_ONCE = 50;
const PUBLIC_URL = 'https://keys.example.org';

interface ProxyServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

async function startProxyServer(): Promise<ProxyServer> {
  const main = path.resolve('dist/node/cli/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first.`);
  const child = spawn(
    process.execPath,
    [
      main,
      'serve',
      '--auth',
      'proxy',
      '--port',
      '0',
      '--trusted-proxy',
      '127.0.0.1',
      '--public-url',
      PUBLIC_URL,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: '/usr/bin:/bin' } },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line:\n${output}`)), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return {
    pid: child.pid ?? -1,
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Children of `pid` now, from /proc. */
function children(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) {
        found.push(Number(entry));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/**
 * Proportional set size of `pid` and its children in MB: each shared page (Perl, the C library)
 * counted once over the processes that share it, where a sum of VmRSS counts it in each.
 */
function proportionalMb(pid: number): number {
  let kb = 0;
  for (const member of [pid, ...children(pid)]) {
    try {
      const rollup = readFileSync(`/proc/${member}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return kb / 1024;
}

/** Runs `requests` with `atOnce` in flight; resolves to each one's milliseconds and status. */
async function load(
  requests: readonly (() => Promise<number>)[],
  atOnce: number,
): Promise<{ ms: number[]; statuses: number[]; seconds: number }> {
  const ms: number[] = [];
  const statuses: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      while (next < requests.length) {
        const request = requests[next];
        next += 1;
        if (request === undefined) break;
        const t0 = performance.now();
        statuses.push(await request());
        ms.push(performance.now() - t0);
      }
    }),
  );
  return { ms, statuses, seconds: (performance.now() - started) / 1000 };
}

function describe(ms: readonly number[], statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  const shown = [...counts].map(([status, n]) => `${n}× ${status}`).join(', ');
  return `p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, max ${percentile(ms, 100).toFixed(0)} ms (${shown})`;
}

/** The five figures of the proxy group. */
export async function proxyFigures(): Promise<Figure[]> {
  process.stdout.write(`Proxy group: ensuring ${USERS} test users…\n`);
  const users: TestUser[] = [];
  for (let i = 1; i <= USERS; i += 1) {
    users.push(ensureTestUser(`keysmith-bench-${String(i).padStart(3, '0')}`));
  }
  for (const u of users) resetSshDir(u);
  const dir = makeTestDir('bench-proxy');
  const keys: TestKey[] = users.map((_, i) => makeTestKey(dir, `k${i}`));
  const server = await startProxyServer();
  const url = `http://127.0.0.1:${server.port}/api/ssh-keys`;
  const list = (u: TestUser) => async () => {
    const response = await fetch(url, { headers: { 'X-Forwarded-User': u.name } });
    await response.arrayBuffer();
    return response.status;
  };
  const add = (u: TestUser, k: TestKey) => async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'X-Forwarded-User': u.name, 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: k.publicLine }),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const memory = await sampleMemory([server.pid]);
  let peakProcesses = 1;
  let pssAfterP3 = 0;
  const counter = setInterval(() => {
    peakProcesses = Math.max(peakProcesses, 1 + children(server.pid).length);
  }, 100);
  const figures: Figure[] = [];
  try {
    const user = (i: number): TestUser => {
      const found = users[i % USERS];
      if (found === undefined) throw new Error(`no user ${i}`);
      return found;
    };
    const key = (i: number): TestKey => {
      const found = keys[i % USERS];
      if (found === undefined) throw new Error(`no key ${i}`);
      return found;
    };
    // As the server group does: warm the fresh server (its code, the passwd resolver) with
    // lists by the last user, who is not one of P1's twenty, whose helpers all start cold in P1.
    const warm = user(USERS - 1);
    const coldStart = performance.now();
    await list(warm)();
    const coldMs = performance.now() - coldStart;
    for (let i = 0; i < 9; i += 1) await list(warm)();
    const few = await load(
      Array.from({ length: 400 }, (_, i) => list(user(i % 20))),
      AT_ONCE,
    );
    const rate = few.ms.length / few.seconds;
    const p99Few = percentile(few.ms, 99);
    figures.push({
      title: 'P1. Proxy mode: 400 lists over 20 users, 50 at once',
      ours: `${describe(few.ms, few.statuses)}, ${rate.toFixed(0)} requests/s`,
      reference: 'a process per request: p50 3.6 s, p99 4.6 s, 14 requests/s',
      ratio: null,
      target: 'p99 ≤ 200 ms and ≥ 300 requests/s, all 200',
      verdict:
        atMost(p99Few, 200) === 'PASS' && rate >= 300 && few.statuses.every((s) => s === 200)
          ? 'PASS'
          : 'FAIL',
      method: `Node fetch over 127.0.0.1, 50 workers each taking the next request; the server as root, default pool; after 10 warm-up lists by a 21st user (the first, cold: ${coldMs.toFixed(0)} ms)`,
    });
    const adds = await load(
      users.map((u, i) => add(u, key(i))),
      AT_ONCE,
    );
    const present = users.filter((u, i) => {
      try {
        const file = path.join(u.home, '.ssh', 'authorized_keys');
        const stat = statSync(file);
        return (
          stat.uid === u.uid &&
          (stat.mode & 0o777) === 0o600 &&
          readFileSync(file, 'utf8').includes(key(i).publicLine)
        );
      } catch {
        return false;
      }
    }).length;
    figures.push({
      title: 'P2. Proxy mode: one add for each of 200 users, 50 at once',
      ours: `${describe(adds.ms, adds.statuses)}; ${present}/${USERS} present, owned by the user, 0600`,
      reference: 'a process per request: p99 4.2 s',
      ratio: null,
      target: 'p99 ≤ 500 ms, 200/200 present, owned, 0600',
      verdict:
        atMost(percentile(adds.ms, 99), 500) === 'PASS' && present === USERS ? 'PASS' : 'FAIL',
      method: `each user once, in user order; a new helper for nearly every request (the pool holds ${DEFAULT_POOL_OPTIONS.maxProcesses})`,
    });
    const spread = await load(
      Array.from({ length: 400 }, (_, i) => list(user((i * 7) % USERS))),
      AT_ONCE,
    );
    figures.push({
      title: 'P3. Proxy mode: 400 lists spread over all 200 users, 50 at once',
      ours: describe(spread.ms, spread.statuses),
      reference: 'a process per request: p99 4.0 s',
      ratio: null,
      target: 'p99 ≤ 300 ms, all 200',
      verdict:
        atMost(percentile(spread.ms, 99), 300) === 'PASS' && spread.statuses.every((s) => s === 200)
          ? 'PASS'
          : 'FAIL',
      method: 'users in a stride of 7 over the 200, so consecutive requests are different users',
    });
    // Every user's helper has just run (P3): the pool is as full as it gets.
    pssAfterP3 = proportionalMb(server.pid);
    const flooder = user(0);
    const bystander = user(1);
    const flood = { on: true };
    const flooding = Promise.all(
      Array.from({ length: 40 }, async () => {
        while (flood.on) await list(flooder)();
      }),
    );
    const calm = await load(
      Array.from({ length: 60 }, () => list(bystander)),
      1,
    );
    flood.on = false;
    await flooding;
    figures.push({
      title: "P4. Proxy mode: a bystander's lists while one user floods 40 at once",
      ours: describe(calm.ms, calm.statuses),
      reference: 'a process per request: p99 3.6 s',
      ratio: null,
      target: 'p99 ≤ 300 ms',
      verdict: atMost(percentile(calm.ms, 99), 300),
      method:
        '60 lists of the bystander one after another during the flood; the flood gets 429 beyond 4 in flight',
    });
  } finally {
    clearInterval(counter);
    const { peakMb } = await memory.stop();
    const bound = DEFAULT_POOL_OPTIONS.maxProcesses + 2;
    figures.push({
      title: 'P5. Proxy mode: peak resident memory and processes (server and helpers)',
      ours: `${peakMb.toFixed(0)} MB, ${peakProcesses} processes (sum of VmRSS; their proportional share, PSS, after P3: ${pssAfterP3.toFixed(0)} MB)`,
      reference: 'a process per request: 1.26 GB, 31 processes',
      ratio: null,
      target: `≤ 512 MB, ≤ ${bound} processes (the server, its passwd resolver and --max-user-processes ${DEFAULT_POOL_OPTIONS.maxProcesses})`,
      verdict: atMost(peakMb, 512) === 'PASS' && peakProcesses <= bound ? 'PASS' : 'FAIL',
      method:
        'VmRSS of the server and its children summed every 20 ms over P1–P4; processes counted every 100 ms',
    });
    await server.stop();
  }
  return figures;
}
