/**
 * `--sshd-log`: the latest login per user and key, kept up to date from sshd's log file or the
 * journal. Started once by the server (as root in proxy and OIDC modes: never in a helper).
 */
import {
  createLastUseIndex,
  type LastUse,
  type LastUseLimits,
} from '../../last-use/last-use-index.ts';
import { parseJournalEntry, parseSshdLogLine } from '../../last-use/sshd-log-line.ts';
import { followLogFile } from './sshd-log-file.ts';
import { followJournal } from './sshd-log-journal.ts';

/** A log file sshd or syslog writes, or the journal (the system's, or the files in `directory`). */
export type SshdLogSource =
  { kind: 'file'; path: string } | { kind: 'journal'; directory?: string };

export interface SshdLog {
  forUser(user: string): ReadonlyMap<string, LastUse>;
  /** A file source reads what was appended now; the journal is read as journalctl prints. */
  poll(): Promise<void>;
  close(): Promise<void>;
}

export interface SshdLogOptions extends LastUseLimits {
  /** How often a file is looked at (default 1000 ms; 0: only on `poll()`). */
  intervalMs?: number;
  now?: () => Date;
  onError?: (message: string) => void;
}

/** Starts reading `source`; what it has read so far is in `forUser`. */
export function startSshdLog(source: SshdLogSource, options: SshdLogOptions = {}): SshdLog {
  const index = createLastUseIndex(options);
  const onError =
    options.onError ??
    ((message: string) => process.stderr.write(`keysmith: --sshd-log: ${message}\n`));
  if (source.kind === 'file') {
    const follower = followLogFile(
      source.path,
      (line, seenAt) => {
        const event = parseSshdLogLine(line, seenAt);
        if (event !== null) index.record(event);
      },
      {
        ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
        ...(options.now === undefined ? {} : { now: options.now }),
        onError,
      },
    );
    return {
      forUser: (user) => index.forUser(user),
      poll: () => follower.poll(),
      close: () => {
        follower.close();
        return Promise.resolve();
      },
    };
  }
  const follower = followJournal(
    (entry) => {
      const event = parseJournalEntry(entry);
      if (event !== null) index.record(event);
    },
    { ...(source.directory === undefined ? {} : { directory: source.directory }), onError },
  );
  return {
    forUser: (user) => index.forUser(user),
    poll: () => Promise.resolve(),
    close: () => follower.close(),
  };
}
