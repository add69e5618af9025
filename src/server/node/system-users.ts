/**
 * Accounts from the passwd database (NSS: files, LDAP, sssd alike), through one long-lived
 * resolver process (passwd-lookup.pl: getpwnam, as `getent passwd` does) rather than a process
 * per request. A user name is checked against a strict pattern before it is used anywhere.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { USER_NAME_PATTERN } from '../auth/user-name.ts';

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The resolver beside this module (scripts/build-node.ts copies it into dist/node). */
const LOOKUP_SCRIPT = fileURLToPath(new URL('./passwd-lookup.pl', import.meta.url));
/** A lookup NSS has not answered in this long (an LDAP server away) fails, as getent's would. */
const LOOKUP_TIMEOUT_MS = 10_000;

interface Lookup {
  name: string;
  resolve(account: Account | null): void;
  reject(error: Error): void;
}

interface Resolver {
  child: ChildProcessByStdio<Writable, Readable, null>;
  /** Lookups sent and not answered yet, oldest first: the resolver answers in order. */
  waiting: Lookup[];
  timer?: NodeJS.Timeout;
}

let resolver: Resolver | null = null;
const inFlight = new Map<string, Promise<Account | null>>();

/** The resolver keeps the event loop alive only while a lookup waits for it. */
function holdOpen(current: Resolver, held: boolean) {
  for (const handle of [current.child, current.child.stdin, current.child.stdout]) {
    const ref = handle as unknown as { ref?: () => void; unref?: () => void };
    if (held) ref.ref?.();
    else ref.unref?.();
  }
}

function stopResolver(current: Resolver, error: Error) {
  if (resolver === current) resolver = null;
  clearTimeout(current.timer);
  current.child.kill('SIGKILL');
  for (const lookup of current.waiting.splice(0)) lookup.reject(error);
}

function answer(current: Resolver, line: string) {
  const lookup = current.waiting.shift();
  const fields = line.split(' ');
  const [status, user, uid, gid, home] = fields;
  if (lookup === undefined) {
    stopResolver(current, new Error('The passwd resolver answered out of turn.'));
    return;
  }
  if (status === 'none') {
    lookup.resolve(null);
  } else if (
    status === 'ok' &&
    fields.length === 5 &&
    user === lookup.name &&
    uid !== undefined &&
    gid !== undefined &&
    home !== undefined &&
    /^\d{1,10}$/.test(uid) &&
    /^\d{1,10}$/.test(gid) &&
    /^(?:[0-9a-f]{2})*$/.test(home)
  ) {
    const path = Buffer.from(home, 'hex').toString('utf8');
    // An account without an absolute home has no file to serve.
    lookup.resolve(
      path.startsWith('/') ? { name: user, uid: Number(uid), gid: Number(gid), home: path } : null,
    );
  } else {
    lookup.reject(new Error(`The passwd resolver answered "${line.slice(0, 80)}".`));
    stopResolver(current, new Error('The passwd resolver answered something unreadable.'));
    return;
  }
  clearTimeout(current.timer);
  if (current.waiting.length > 0) armTimer(current);
  else holdOpen(current, false);
}

function armTimer(current: Resolver) {
  clearTimeout(current.timer);
  current.timer = setTimeout(
    () => stopResolver(current, new Error('The passwd database did not answer within 10 s.')),
    LOOKUP_TIMEOUT_MS,
  );
}

function startResolver(): Resolver {
  const child = spawn('/usr/bin/perl', ['-T', LOOKUP_SCRIPT], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { PATH: '/usr/bin:/bin', LANG: 'C' },
    cwd: '/',
  });
  const current: Resolver = { child, waiting: [] };
  child.stdin.on('error', () => undefined);
  child.on('error', (error) => stopResolver(current, error));
  child.on('exit', () => stopResolver(current, new Error('The passwd resolver exited.')));
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (resolver !== current) return;
      answer(current, line);
    }
    if (buffered.length > 4096) stopResolver(current, new Error('The passwd resolver ran on.'));
  });
  return current;
}

/**
 * Looks a user up in the passwd database. Resolves to null for an unknown user; rejects a name
 * that does not match USER_NAME_PATTERN with a TypeError before running anything.
 */
export function lookupAccount(name: string): Promise<Account | null> {
  if (!USER_NAME_PATTERN.test(name)) {
    return Promise.reject(new TypeError(`"${name}" is not a valid user name.`));
  }
  // A request that comes while the same name is being looked up shares that answer: it is no
  // older than one asked for now would be.
  const pending = inFlight.get(name);
  if (pending !== undefined) return pending;
  const lookup = new Promise<Account | null>((resolve, reject) => {
    resolver ??= startResolver();
    const current = resolver;
    if (current.waiting.length === 0) {
      holdOpen(current, true);
      armTimer(current);
    }
    current.waiting.push({ name, resolve, reject });
    current.child.stdin.write(`${name}\n`);
  });
  inFlight.set(name, lookup);
  const forget = () => {
    if (inFlight.get(name) === lookup) inFlight.delete(name);
  };
  lookup.then(forget, forget);
  return lookup;
}
