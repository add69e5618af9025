/**
 * Proxy mode as root: a bounded pool of long-lived helper processes, one per user, each of which
 * dropped to that user's uid, gid and supplementary groups before reading its first request
 * (user-process-child.ts). Root never opens a file in a home; a helper serves one account and one
 * file for its whole life and is never handed to anyone else.
 *
 * Bounds: at most `maxProcesses` helpers (idle ones exit after `idleMs`; when the pool is full
 * the least recently used idle helper makes room), at most `maxQueue` requests waiting (then
 * 503), each for at most `queueWaitMs` (then 503), and at most `maxPerUser` requests of one user
 * admitted at once (then 429), so one user's flood cannot hold the pool.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { KeyStoreError, type ErrorStatus } from '../store/key-store.ts';
import type { Account } from './system-users.ts';
import {
  helperReplySchema,
  type HelperOperation,
  type HelperStart,
} from './user-process-protocol.ts';

export interface UserProcessPoolOptions {
  /** Most helper processes alive at once (`--max-user-processes`). */
  maxProcesses: number;
  /** An idle helper exits after this long (`--user-process-idle`, in seconds there). */
  idleMs: number;
  /** Most requests waiting for a helper (`--user-process-queue`); more get 503. */
  maxQueue: number;
  /** Most requests of one user admitted at once (`--max-requests-per-user`); more get 429. */
  maxPerUser: number;
  /** Longest wait for a helper before a 503. */
  queueWaitMs: number;
  /** Longest a helper may take over one request before it is killed (the request gets 503). */
  requestTimeoutMs: number;
}

export const DEFAULT_POOL_OPTIONS: UserProcessPoolOptions = {
  maxProcesses: 8,
  idleMs: 60_000,
  maxQueue: 32,
  maxPerUser: 4,
  queueWaitMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** What answered a request: the helper's result, and its pid and uid (for tests and logs). */
export interface HelperAnswer {
  result: unknown;
  pid: number;
  uid: number;
}

export interface UserProcessPool {
  /** Runs one operation on `path` as `account` in that account's helper. */
  run(account: Account, path: string, operation: HelperOperation): Promise<HelperAnswer>;
  /** Helpers alive now (pid, uid) and requests waiting. */
  snapshot(): { helpers: { pid: number; uid: number; busy: boolean }[]; queued: number };
  /** Ends every helper; requests still waiting or running get 503. */
  close(): Promise<void>;
}

const STATUSES: readonly ErrorStatus[] = [400, 401, 403, 404, 405, 409, 413, 415, 500, 503];

/** The helper entry next to this module: `.ts` under tsx in tests, `.js` once compiled. */
function helperCommand(): { script: string; execArgv: string[] } {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    return {
      script: fileURLToPath(new URL('./user-process-child.ts', self)),
      execArgv: ['--import', 'tsx'],
    };
  }
  return { script: fileURLToPath(new URL('./user-process-child.js', self)), execArgv: [] };
}

interface Job {
  key: string;
  account: Account;
  path: string;
  operation: HelperOperation;
  resolve(answer: HelperAnswer): void;
  reject(error: KeyStoreError): void;
  id?: number;
  waitTimer?: NodeJS.Timeout;
  timer?: NodeJS.Timeout;
}

type HelperChild = ChildProcessByStdio<Writable, Readable, null>;

interface Helper {
  key: string;
  uid: number;
  child: HelperChild;
  pid: number;
  job: Job | null;
  /** Takes no new job; ends once its job is done (its passwd entry changed, or it is evicted). */
  retiring: boolean;
  /** Killed or exited: whatever it still prints is ignored. */
  dead: boolean;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

function retryLater(message: string, seconds: number): KeyStoreError {
  return new KeyStoreError('busy', 503, message, undefined, seconds);
}

/** Starts a pool; `close()` it when the server stops. */
export function createUserProcessPool(
  options: Partial<UserProcessPoolOptions> = {},
): UserProcessPool {
  const config = { ...DEFAULT_POOL_OPTIONS, ...options };
  const { script, execArgv } = helperCommand();
  /** Live helpers by key; retiring ones stay in `all` until they exit. */
  const helpers = new Map<string, Helper>();
  const all = new Set<Helper>();
  const queue: Job[] = [];
  const perUser = new Map<number, number>();
  let nextId = 0;
  let closed = false;

  function admit(uid: number, delta: number) {
    const count = (perUser.get(uid) ?? 0) + delta;
    if (count === 0) perUser.delete(uid);
    else perUser.set(uid, count);
  }

  function startHelper(key: string, account: Account, path: string): Helper {
    const start: HelperStart = { account, path };
    // --optimize-for-size and a small young generation: a helper idles most of its life, and
    // its resident memory is what 50 active users multiply.
    const child = spawn(
      process.execPath,
      [
        '--optimize-for-size',
        '--max-semi-space-size=1',
        ...execArgv,
        script,
        JSON.stringify(start),
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: {
          PATH: '/usr/bin:/bin',
          LANG: 'C.UTF-8',
          ...(process.env.TZ === undefined ? {} : { TZ: process.env.TZ }),
        },
        // tsx (tests only) resolves from the working directory; the compiled helper needs none.
        cwd: execArgv.length > 0 ? process.cwd() : '/',
      },
    );
    const helper: Helper = {
      key,
      uid: account.uid,
      child,
      pid: child.pid ?? -1,
      job: null,
      retiring: false,
      dead: false,
      lastUsed: Date.now(),
    };
    all.add(helper);
    helpers.set(key, helper);
    // A helper that dies must not take the server down with EPIPE; its exit is handled below.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      // A process that never started emits no 'exit'.
      if (child.pid === undefined) all.delete(helper);
      fail(
        helper,
        new KeyStoreError('internal', 500, `Could not start the user process: ${error.message}`),
      );
    });
    // A function, not the field: answered() may kill the helper in the middle of the loop.
    const isDead = () => helper.dead;
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (helper.dead) return;
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        answered(helper, line);
        if (isDead()) return;
      }
    });
    child.on('exit', (code, signal) => {
      fail(
        helper,
        new KeyStoreError(
          'internal',
          500,
          `The user process ended in the middle of the request (${signal ?? `exit ${code ?? 'unknown'}`}); the file is either unchanged or fully changed. List your keys to see which, then retry.`,
        ),
      );
    });
    return helper;
  }

  /** Ends a helper for good: its job, if any, fails with `error`; the pool makes room. */
  function fail(helper: Helper, error: KeyStoreError) {
    const job = helper.job;
    helper.job = null;
    helper.dead = true;
    clearTimeout(helper.idleTimer);
    if (job !== null) clearTimeout(job.timer);
    if (helpers.get(helper.key) === helper) helpers.delete(helper.key);
    if (helper.child.exitCode === null && helper.child.signalCode === null) {
      helper.child.kill('SIGKILL');
    } else {
      all.delete(helper);
    }
    if (job !== null) settle(job, error);
    pump();
  }

  function settle(job: Job, outcome: KeyStoreError | HelperAnswer) {
    admit(job.account.uid, -1);
    if (outcome instanceof KeyStoreError) job.reject(outcome);
    else job.resolve(outcome);
  }

  function answered(helper: Helper, line: string) {
    const job = helper.job;
    let reply;
    try {
      reply = helperReplySchema.parse(JSON.parse(line));
    } catch {
      reply = null;
    }
    if (job === null || reply === null || reply.id !== job.id || reply.uid !== helper.uid) {
      process.stderr.write(`keysmith: user process ${helper.pid} answered out of turn; killed\n`);
      fail(
        helper,
        new KeyStoreError(
          'internal',
          500,
          'The user process answered something unreadable and was stopped; the file is either unchanged or fully changed. List your keys to see which, then retry.',
        ),
      );
      return;
    }
    clearTimeout(job.timer);
    helper.job = null;
    helper.lastUsed = Date.now();
    if (reply.ok) {
      settle(job, { result: reply.result, pid: helper.pid, uid: reply.uid });
    } else {
      const status = STATUSES.find((s) => s === reply.error.status) ?? 500;
      settle(job, new KeyStoreError(reply.error.code, status, reply.error.message));
    }
    if (helper.retiring) retire(helper);
    else helper.idleTimer = setTimeout(() => retire(helper), config.idleMs);
    pump();
  }

  /** Lets a helper end: no new job; stdin closed, so it exits once its job is done. */
  function retire(helper: Helper) {
    helper.retiring = true;
    if (helpers.get(helper.key) === helper) helpers.delete(helper.key);
    if (helper.job === null) {
      clearTimeout(helper.idleTimer);
      helper.child.stdin.end();
    }
  }

  function dispatch(helper: Helper, job: Job) {
    clearTimeout(job.waitTimer);
    clearTimeout(helper.idleTimer);
    nextId += 1;
    job.id = nextId;
    helper.job = job;
    helper.lastUsed = Date.now();
    job.timer = setTimeout(() => {
      fail(
        helper,
        retryLater(
          `The user process did not answer within ${Math.round(config.requestTimeoutMs / 1000)} s and was stopped; the file is either unchanged or fully changed. List your keys to see which, then retry.`,
          5,
        ),
      );
    }, config.requestTimeoutMs);
    helper.child.stdin.write(`${JSON.stringify({ id: job.id, ...job.operation })}\n`);
  }

  /** Gives waiting jobs, oldest first, to their helper, a new one, or one that makes room. */
  function pump() {
    if (closed) return;
    for (let index = 0; index < queue.length;) {
      const job = queue[index];
      if (job === undefined) break;
      let helper = helpers.get(job.key);
      if (helper === undefined) {
        // The same uid under an older passwd entry (or file) gets no more requests.
        for (const other of helpers.values()) if (other.uid === job.account.uid) retire(other);
        if (all.size >= config.maxProcesses) {
          let victim: Helper | undefined;
          for (const other of helpers.values()) {
            if (other.job === null && (victim === undefined || other.lastUsed < victim.lastUsed)) {
              victim = other;
            }
          }
          // Killed, not asked to leave: it holds no request, and its slot is needed now.
          if (victim !== undefined) fail(victim, retryLater('unused', 1));
        }
        if (all.size >= config.maxProcesses) {
          index += 1;
          continue;
        }
        helper = startHelper(job.key, job.account, job.path);
      }
      if (helper.job !== null) {
        index += 1;
        continue;
      }
      queue.splice(index, 1);
      dispatch(helper, job);
    }
  }

  return {
    run(account, path, operation) {
      if (closed) {
        return Promise.reject(retryLater('The server is stopping; retry in a moment.', 5));
      }
      if ((perUser.get(account.uid) ?? 0) >= config.maxPerUser) {
        return Promise.reject(
          new KeyStoreError(
            'too-many-requests',
            429,
            'Too many requests from you at once; wait a moment and retry.',
            undefined,
            1,
          ),
        );
      }
      return new Promise<HelperAnswer>((resolve, reject) => {
        const key = JSON.stringify([account.name, account.uid, account.gid, account.home, path]);
        const job: Job = { key, account, path, operation, resolve, reject };
        admit(account.uid, 1);
        queue.push(job);
        job.waitTimer = setTimeout(() => {
          const index = queue.indexOf(job);
          if (index === -1) return;
          queue.splice(index, 1);
          settle(
            job,
            retryLater('The server is busy with other users; retry in a few seconds.', 2),
          );
        }, config.queueWaitMs);
        pump();
        if (queue.length > config.maxQueue && queue.at(-1) === job) {
          queue.pop();
          clearTimeout(job.waitTimer);
          settle(
            job,
            retryLater('The server is busy with other users; retry in a few seconds.', 2),
          );
        }
      });
    },
    snapshot() {
      return {
        helpers: [...all].map((h) => ({ pid: h.pid, uid: h.uid, busy: h.job !== null })),
        queued: queue.length,
      };
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) {
        clearTimeout(job.waitTimer);
        settle(job, retryLater('The server is stopping; retry in a moment.', 5));
      }
      const exits = [...all].map(
        (helper) =>
          new Promise<void>((resolve) => {
            if (helper.child.exitCode !== null || helper.child.signalCode !== null) resolve();
            else helper.child.once('exit', () => resolve());
          }),
      );
      for (const helper of [...all]) {
        fail(helper, retryLater('The server is stopping; retry in a moment.', 5));
      }
      await Promise.all(exits);
    },
  };
}
