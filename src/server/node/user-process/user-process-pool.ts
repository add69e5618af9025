/**
 * Proxy mode as root: a bounded pool of long-lived helper processes, one per user, each started
 * by util-linux's setpriv with that user's uid, gid and supplementary groups and no capabilities,
 * running user-process-helper.pl, which checks its ids before it reads a request. Root never opens
 * a file in a home; a helper serves one account and one file for its whole life and is never
 * handed to anyone else. The helper only does the file system calls; the server parses and
 * composes (user-process-store.ts).
 *
 * Bounds: at most `maxProcesses` helpers (idle ones exit after `idleMs`; when the pool is full
 * the least recently used idle helper makes room), at most `maxQueue` requests waiting (then
 * 503), each for at most `queueWaitMs` (then 503), and at most `maxPerUser` requests of one user
 * admitted at once (then 429), so one user's flood cannot hold the pool.
 */
import { KeyStoreError } from '../../store/key-store.ts';
import type { Account } from '../system-users.ts';
import { encodeRequest, type HelperReply, type HelperRequest } from './user-process-protocol.ts';
import { HELPER_SCRIPT, spawnHelper, type HelperChild } from './user-process-spawn.ts';

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
  /** The script setpriv starts as the user (user-process-helper.pl). */
  helperScript: string;
}

export const DEFAULT_POOL_OPTIONS: UserProcessPoolOptions = {
  helperScript: HELPER_SCRIPT,
  // A helper that has written is about 7 MB resident (2 MB of it its own): 48 and the server
  // stay under 512 MB even counted as a sum of VmRSS.
  maxProcesses: 48,
  idleMs: 60_000,
  // As `keysmith serve`: 4 × maxProcesses.
  maxQueue: 192,
  maxPerUser: 4,
  queueWaitMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** What answered a request: the session's result, and the helper's pid and uid (tests, logs). */
export interface HelperAnswer<T> {
  result: T;
  pid: number;
  uid: number;
}

/** A helper lent to one session: its requests, one at a time. */
export interface HelperChannel {
  request(request: HelperRequest): Promise<HelperReply>;
}

export interface UserProcessPool {
  /**
   * Lends `account`'s helper for `path` to `session`, which sends it requests one at a time; the
   * helper serves no one else until the session ends.
   */
  run<T>(
    account: Account,
    path: string,
    session: (helper: HelperChannel) => Promise<T>,
  ): Promise<HelperAnswer<T>>;
  /** Helpers alive now (pid, uid) and requests waiting. */
  snapshot(): { helpers: { pid: number; uid: number; busy: boolean }[]; queued: number };
  /** Ends every helper; requests still waiting or running get 503. */
  close(): Promise<void>;
}

interface Job {
  key: string;
  account: Account;
  path: string;
  session(helper: HelperChannel): Promise<unknown>;
  resolve(answer: HelperAnswer<unknown>): void;
  reject(error: KeyStoreError): void;
  settled: boolean;
  waitTimer?: NodeJS.Timeout;
  timer?: NodeJS.Timeout;
}

/** The request a session waits on. */
interface Pending {
  id: number;
  resolve(reply: HelperReply): void;
  reject(error: KeyStoreError): void;
}

interface Helper {
  key: string;
  uid: number;
  child: HelperChild;
  pid: number;
  job: Job | null;
  pending: Pending | null;
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

function unreadable(): KeyStoreError {
  return new KeyStoreError(
    'internal',
    500,
    'The user process answered something unreadable and was stopped; the file is either unchanged or fully changed. List your keys to see which, then retry.',
  );
}

/** Starts a pool; `close()` it when the server stops. */
export function createUserProcessPool(
  options: Partial<UserProcessPoolOptions> = {},
): UserProcessPool {
  const config = { ...DEFAULT_POOL_OPTIONS, ...options };
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
    const helper: Helper = {
      key,
      uid: account.uid,
      child: spawnHelper(account, path, config.helperScript, {
        reply(reply) {
          if (!helper.dead) answered(helper, reply);
          return !helper.dead;
        },
        ended(error, started) {
          // A process that never started emits no 'exit'.
          if (!started) all.delete(helper);
          fail(helper, error);
        },
      }),
      pid: -1,
      job: null,
      pending: null,
      retiring: false,
      dead: false,
      lastUsed: Date.now(),
    };
    helper.pid = helper.child.pid ?? -1;
    all.add(helper);
    helpers.set(key, helper);
    return helper;
  }

  /** Ends a helper for good: its job, if any, fails with `error`; the pool makes room. */
  function fail(helper: Helper, error: KeyStoreError) {
    const { job, pending } = helper;
    helper.job = null;
    helper.pending = null;
    helper.dead = true;
    clearTimeout(helper.idleTimer);
    if (helpers.get(helper.key) === helper) helpers.delete(helper.key);
    if (helper.child.exitCode === null && helper.child.signalCode === null) {
      helper.child.kill('SIGKILL');
    } else {
      all.delete(helper);
    }
    pending?.reject(error);
    if (job !== null) settle(job, error);
    pump();
  }

  function settle(job: Job, outcome: KeyStoreError | HelperAnswer<unknown>) {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    admit(job.account.uid, -1);
    if (outcome instanceof KeyStoreError) job.reject(outcome);
    else job.resolve(outcome);
  }

  /** A reply (null: garbage): the one the session waits for, from the uid it must be, or death. */
  function answered(helper: Helper, reply: HelperReply | null) {
    const pending = helper.pending;
    if (
      reply === null ||
      pending === null ||
      reply.header.id !== pending.id ||
      reply.header.uid !== helper.uid
    ) {
      process.stderr.write(`keysmith: user process ${helper.pid} answered out of turn; killed\n`);
      fail(helper, unreadable());
      return;
    }
    helper.pending = null;
    pending.resolve(reply);
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

  /** The session's job is over (its helper may have died meanwhile): the helper waits for more. */
  function done(helper: Helper, job: Job) {
    if (helper.job !== job) return;
    helper.job = null;
    helper.lastUsed = Date.now();
    if (helper.pending !== null) {
      // A session that ended with a request still out has left the helper in an unknown state.
      fail(helper, unreadable());
      return;
    }
    if (helper.retiring) retire(helper);
    else helper.idleTimer = setTimeout(() => retire(helper), config.idleMs);
    pump();
  }

  function dispatch(helper: Helper, job: Job) {
    clearTimeout(job.waitTimer);
    clearTimeout(helper.idleTimer);
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
    const channel: HelperChannel = {
      request: (request) =>
        new Promise<HelperReply>((resolve, reject) => {
          if (helper.dead || helper.job !== job || helper.pending !== null) {
            reject(unreadable());
            return;
          }
          nextId += 1;
          helper.pending = { id: nextId, resolve, reject };
          helper.child.stdin.write(encodeRequest(nextId, request));
        }),
    };
    job.session(channel).then(
      (result) => {
        settle(job, { result, pid: helper.pid, uid: helper.uid });
        done(helper, job);
      },
      (error: unknown) => {
        settle(
          job,
          error instanceof KeyStoreError
            ? error
            : new KeyStoreError('internal', 500, `The key file operation failed: ${String(error)}`),
        );
        done(helper, job);
      },
    );
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
    run<T>(account: Account, path: string, session: (helper: HelperChannel) => Promise<T>) {
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
      return new Promise<HelperAnswer<T>>((resolve, reject) => {
        const key = JSON.stringify([account.name, account.uid, account.gid, account.home, path]);
        const job: Job = {
          key,
          account,
          path,
          session,
          resolve: resolve as (answer: HelperAnswer<unknown>) => void,
          reject,
          settled: false,
        };
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
