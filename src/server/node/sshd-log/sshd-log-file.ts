/**
 * `--sshd-log PATH`: follows a log file that sshd (`-E`) or syslog writes, reading only what was
 * appended since the last look. A new file at the path (rotation: another inode) is read from
 * its start, and so is a file shorter than what was read (truncation, `copytruncate`).
 */
import fs from 'node:fs';
import { MAX_LINE_LENGTH } from '../../last-use/sshd-log-line.ts';

export interface LogFileFollower {
  /** Reads what was appended since the last look (after any read under way). */
  poll(): Promise<void>;
  close(): void;
}

export interface LogFileOptions {
  /** How often to look (default 1000 ms); 0 leaves it to `poll()`. */
  intervalMs?: number;
  now?: () => Date;
  /** Told once per distinct failure to read, and again after a success. */
  onError?: (message: string) => void;
}

const CHUNK_BYTES = 64 * 1024;
const LF = 0x0a;

/**
 * Follows `file`, handing each complete line to `onLine` with a time no earlier than its
 * writing: the file's last change when it was read (or the clock, if earlier). A line longer
 * than MAX_LINE_LENGTH bytes is skipped whole, so a hostile writer cannot grow the buffer.
 */
export function followLogFile(
  file: string,
  onLine: (line: string, seenAt: Date) => void,
  options: LogFileOptions = {},
): LogFileFollower {
  const now = options.now ?? (() => new Date());
  let identity: string | null = null;
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let tail: Promise<void> = Promise.resolve();
  let busy = false;
  let lastError: string | null = null;
  let closed = false;

  function restart() {
    offset = 0;
    pending = [];
    pendingBytes = 0;
    skipping = false;
  }

  function take(bytes: Buffer, seenAt: Date) {
    let start = 0;
    for (let end = bytes.indexOf(LF); end !== -1; end = bytes.indexOf(LF, start)) {
      const piece = bytes.subarray(start, end);
      if (!skipping && pendingBytes + piece.length <= MAX_LINE_LENGTH) {
        onLine(Buffer.concat([...pending, piece]).toString('utf8'), seenAt);
      }
      pending = [];
      pendingBytes = 0;
      skipping = false;
      start = end + 1;
    }
    const rest = bytes.subarray(start);
    if (skipping || rest.length === 0) return;
    if (pendingBytes + rest.length > MAX_LINE_LENGTH) {
      pending = [];
      pendingBytes = 0;
      skipping = true;
    } else {
      // A copy: the read buffer is reused.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
  }

  async function read() {
    let handle;
    try {
      // Non-blocking, so a FIFO put at the path cannot hang the server.
      handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
      // Gone (between rotation's rename and create): whatever comes next is a new file.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        identity = null;
        return;
      }
      throw error;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error('not a regular file');
      // A deleted file's inode number may be reused: its birth time tells them apart.
      const id = `${stat.dev}:${stat.ino}:${stat.birthtimeMs}`;
      if (id !== identity) {
        identity = id;
        restart();
      } else if (stat.size < offset) {
        restart();
      }
      // Every line read now was written by the file's last change, which bounds a login's time
      // more tightly than the clock for lines that carry none (sshd -E).
      const seenAt = new Date(Math.min(now().getTime(), stat.mtimeMs));
      const buffer = Buffer.alloc(CHUNK_BYTES);
      while (offset < stat.size && !closed) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        take(buffer.subarray(0, bytesRead), seenAt);
      }
    } finally {
      await handle.close();
    }
  }

  async function readReporting() {
    busy = true;
    try {
      await read();
      if (lastError !== null) options.onError?.(`reading ${file} again`);
      lastError = null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const advice =
        code === 'EACCES'
          ? '; let the account Keysmith runs as read it (on Debian, the adm group), or use --sshd-log journal'
          : '';
      const message = `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}${advice}`;
      if (message !== lastError) options.onError?.(message);
      lastError = message;
    } finally {
      busy = false;
    }
  }

  function poll(): Promise<void> {
    tail = tail.then(readReporting);
    return tail;
  }

  const intervalMs = options.intervalMs ?? 1000;
  // A first read of a large log may take longer than the interval: no second one meanwhile.
  const timer = intervalMs > 0 ? setInterval(() => busy || void poll(), intervalMs) : null;
  timer?.unref();
  void poll();
  return {
    poll,
    close() {
      closed = true;
      if (timer !== null) clearInterval(timer);
    },
  };
}
