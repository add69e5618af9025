/**
 * sshd's "Accepted publickey" lines, as a log file or the journal holds them, read into login
 * events. Pure and platform-neutral: the Node readers (server/node/sshd-log/) feed it lines.
 */

/** One public key login sshd logged. */
export interface LoginEvent {
  /** The account, exactly as sshd logged it. */
  user: string;
  /** `SHA256:…` of the key that logged in, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  at: Date;
  /** The client's address, as sshd logged it. */
  from: string;
}

/** Longer lines are skipped whole: sshd's own are far shorter (log.c MSGBUFSIZ is 1024). */
export const MAX_LINE_LENGTH = 4096;

// auth.c auth_log: "%s %s%s%s for %s%.100s from %.200s port %d ssh2%s%s", the key as
// "TYPE SHA256:…" (auth2-pubkey.c); a certificate adds " ID …" and is left out: the line that
// let it in names its CA, not the key.
const ACCEPTED =
  /^Accepted publickey for ([^\s]{1,100}) from ([0-9A-Fa-f.:]{2,45}) port \d{1,5} ssh2: ([A-Z0-9-]{1,40}) (SHA256:[A-Za-z0-9+/]{43})(?:,|$)/;

// rsyslog's RFC 3339 form and the traditional BSD form (RFC 3164), with sshd's tag; Debian 13's
// OpenSSH logs logins from sshd-session.
const RFC3339_PREFIX =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}) \S+ (?:sshd|sshd-session)(?:\[\d{1,10}\])?: /;
const BSD_PREFIX =
  /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ 1-3]?\d) (\d{2}):(\d{2}):(\d{2}) \S+ (?:sshd|sshd-session)(?:\[\d{1,10}\])?: /;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DAY_MS = 24 * 60 * 60 * 1000;

/** The login an sshd message reports, or null for any other message. */
export function parseAcceptedMessage(message: string, at: Date): LoginEvent | null {
  const match = ACCEPTED.exec(message);
  if (match === null) return null;
  const [, user = '', from = '', type = '', fingerprint = ''] = match;
  if (type.endsWith('-CERT') || !(IPV4.test(from) || from.includes(':'))) return null;
  return { user, fingerprint, at, from };
}

/**
 * A traditional timestamp carries no year and is local time: the latest year that does not put
 * it more than a day after `seenAt` (a day of slack for clocks and time zones).
 */
function bsdTime(match: RegExpExecArray, seenAt: Date): Date | null {
  const [, month = '', day = '', hours = '', minutes = '', seconds = ''] = match;
  const monthIndex = MONTHS.indexOf(month);
  const dayNumber = Number(day);
  if (dayNumber < 1 || dayNumber > 31 || Number(hours) > 23 || Number(minutes) > 59) return null;
  for (const year of [seenAt.getFullYear() + 1, seenAt.getFullYear(), seenAt.getFullYear() - 1]) {
    const date = new Date(
      year,
      monthIndex,
      dayNumber,
      Number(hours),
      Number(minutes),
      Number(seconds),
    );
    if (date.getMonth() !== monthIndex) continue;
    if (date.getTime() <= seenAt.getTime() + DAY_MS) return date;
  }
  return null;
}

/**
 * The login one log line reports, or null. Three forms: rsyslog's RFC 3339
 * (`2026-12-06T07:27:32.123456+00:00 host sshd[123]: …`), the traditional syslog form
 * (`Dec  6 07:27:32 host sshd[123]: …`, year inferred) and sshd's own `-E FILE` output, which has
 * no time: such a line counts as `seenAt`, which the reader sets when it first reads the line
 * (the file's last change then). A time after `seenAt` is taken as `seenAt`, so a line cannot
 * claim a login in the future.
 */
export function parseSshdLogLine(line: string, seenAt: Date): LoginEvent | null {
  if (line.length > MAX_LINE_LENGTH) return null;
  // sshd -E ends its lines with CR LF (log.c).
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  let at: Date | null = seenAt;
  let message = text;
  const rfc = RFC3339_PREFIX.exec(text);
  const bsd = rfc === null ? BSD_PREFIX.exec(text) : null;
  if (rfc !== null) {
    const [prefix, time = '', fraction = '', zone = ''] = rfc;
    // Date.parse takes milliseconds at most.
    at = new Date(`${time}${fraction.slice(0, 4)}${zone}`);
    message = text.slice(prefix.length);
  } else if (bsd !== null) {
    at = bsdTime(bsd, seenAt);
    message = text.slice(bsd[0].length);
  }
  if (at === null || Number.isNaN(at.getTime())) return null;
  if (at.getTime() > seenAt.getTime()) at = seenAt;
  return parseAcceptedMessage(message, at);
}

/**
 * The login one `journalctl -o json` entry reports, or null. Only entries journald itself
 * marks as sshd's count: `_COMM` (the process name, from the kernel) is sshd or sshd-session and
 * `_UID` is 0. A user's `logger -t sshd` sets SYSLOG_IDENTIFIER, never these.
 */
export function parseJournalEntry(entry: unknown): LoginEvent | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const fields = entry as Record<string, unknown>;
  const { MESSAGE: message, _COMM: comm, _UID: uid } = fields;
  const realtime = fields.__REALTIME_TIMESTAMP;
  if (typeof message !== 'string' || message.length > MAX_LINE_LENGTH) return null;
  if ((comm !== 'sshd' && comm !== 'sshd-session') || uid !== '0') return null;
  if (typeof realtime !== 'string' || !/^\d{1,19}$/.test(realtime)) return null;
  // Microseconds since the epoch, set by journald when it received the entry.
  const at = new Date(Number(realtime.slice(0, -3) || '0'));
  return parseAcceptedMessage(message, at);
}
