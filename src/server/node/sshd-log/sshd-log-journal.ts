/**
 * `--sshd-log journal`: follows sshd's entries in the systemd journal with one long-lived
 * `journalctl -f -o json`, filtered by journald's trusted fields (`_COMM`, `_UID`), which a
 * user's `logger -t sshd` cannot set. Restarted after the last cursor read when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface JournalFollower {
  close(): Promise<void>;
}

export interface JournalOptions {
  /** Read the journal files in this directory instead of the system's (`journalctl -D`). */
  directory?: string;
  journalctl?: string;
  /** Told when journalctl cannot run or exits. */
  onError?: (message: string) => void;
  /** The first wait before starting journalctl again after it exited (default 5 s); doubled
   * after each exit without an entry, up to 5 minutes. */
  restartMs?: number;
}

/** sshd 9.2 logs as sshd; OpenSSH 9.8 and later log logins from sshd-session. */
const FILTERS = ['_COMM=sshd', '_COMM=sshd-session', '_UID=0'];

/** An entry's JSON is far under this; a longer line is skipped, unread. */
const MAX_ENTRY_CHARS = 64 * 1024;

/** Follows the journal, handing each entry sshd wrote, parsed, to `onEntry`. */
export function followJournal(
  onEntry: (entry: unknown) => void,
  options: JournalOptions = {},
): JournalFollower {
  let child: ChildProcess | null = null;
  let cursor: string | null = null;
  let closed = false;
  let restartTimer: NodeJS.Timeout | null = null;
  const firstWait = options.restartMs ?? 5000;
  let wait = firstWait;
  let lastError: string | null = null;

  function handle(line: string) {
    if (line.length > MAX_ENTRY_CHARS) return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof entry === 'object' && entry !== null && '__CURSOR' in entry) {
      const value = entry.__CURSOR;
      if (typeof value === 'string') cursor = value;
    }
    wait = firstWait;
    onEntry(entry);
  }

  function start() {
    const args = [
      '--follow',
      '--output=json',
      '--no-pager',
      '--quiet',
      ...(cursor === null ? ['--lines=all'] : [`--after-cursor=${cursor}`]),
      ...(options.directory === undefined ? [] : ['--directory', options.directory]),
      ...FILTERS,
    ];
    const journalctl = spawn(options.journalctl ?? 'journalctl', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = journalctl;
    let partial = '';
    let skipping = false;
    journalctl.stdout.setEncoding('utf8');
    journalctl.stdout.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!skipping) handle(line);
        skipping = false;
      }
      if (partial.length > MAX_ENTRY_CHARS) {
        partial = '';
        skipping = true;
      }
    });
    let errors = '';
    let failure: string | null = null;
    journalctl.stderr.setEncoding('utf8');
    journalctl.stderr.on('data', (text: string) => (errors = (errors + text).slice(-2000)));
    journalctl.once('error', (error) => (failure = `cannot run journalctl: ${error.message}`));
    journalctl.once('close', (code) => {
      child = null;
      if (closed) return;
      const message =
        failure ??
        `journalctl exited (${code ?? 'signal'})${errors === '' ? '' : `: ${errors.trim()}`}`;
      // Said once while it keeps failing the same way; tried again later and later.
      if (message !== lastError) options.onError?.(`${message}; starting it again`);
      lastError = message;
      restartTimer = setTimeout(start, wait);
      restartTimer.unref();
      wait = Math.min(wait * 2, 300_000);
    });
  }

  start();
  return {
    close: async () => {
      closed = true;
      if (restartTimer !== null) clearTimeout(restartTimer);
      const running = child;
      if (running === null) return;
      const exited = new Promise((resolve) => running.once('close', resolve));
      running.kill('SIGTERM');
      await exited;
    },
  };
}
