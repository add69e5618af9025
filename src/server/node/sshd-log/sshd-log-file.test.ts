/**
 * Following a log file: only appended bytes are read, a line is handed over once it is whole,
 * over-long lines are skipped whole, and rotation and truncation start over at the new start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { followLogFile, type LogFileFollower } from './sshd-log-file.ts';
import { MAX_LINE_LENGTH } from '../../last-use/sshd-log-line.ts';

let dir: string;
let file: string;
let follower: LogFileFollower | null = null;
let lines: string[];
let errors: string[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-logfile-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  follower?.close();
  follower = null;
});

async function follow(name: string, content: string | Buffer = '') {
  file = path.join(dir, name);
  fs.writeFileSync(file, content);
  lines = [];
  errors = [];
  follower = followLogFile(file, (line) => lines.push(line), {
    intervalMs: 0,
    onError: (message) => errors.push(message),
  });
  await follower.poll();
  return follower;
}

describe('followLogFile', () => {
  it('reads what is there, then only what is appended, a line once it ends', async () => {
    const log = await follow('append.log', 'one\ntwo\n');
    expect(lines).toEqual(['one', 'two']);
    fs.appendFileSync(file, 'thr');
    await log.poll();
    expect(lines).toEqual(['one', 'two']);
    fs.appendFileSync(file, 'ee\r\nfour\n');
    await log.poll();
    expect(lines).toEqual(['one', 'two', 'three\r', 'four']);
    await log.poll();
    expect(lines).toHaveLength(4);
  });

  it("gives lines the file's last change as their time, never a later one than the clock", async () => {
    const times: Date[] = [];
    file = path.join(dir, 'times.log');
    fs.writeFileSync(file, 'one\n');
    const written = new Date('2026-01-02T03:04:05Z');
    fs.utimesSync(file, written, written);
    follower = followLogFile(file, (_, seenAt) => times.push(seenAt), { intervalMs: 0 });
    await follower.poll();
    expect(times).toEqual([written]);
  });

  it('skips an over-long line whole, also one split across reads and chunks', async () => {
    const long = 'x'.repeat(200 * 1024);
    const log = await follow('long.log', `before\n${long}`);
    fs.appendFileSync(file, `${long}\nafter\n${'y'.repeat(MAX_LINE_LENGTH)}\nlast\n`);
    await log.poll();
    expect(lines).toEqual(['before', 'after', 'y'.repeat(MAX_LINE_LENGTH), 'last']);
  });

  it('keeps bytes that are not UTF-8 from breaking the lines around them', async () => {
    await follow('binary.log', Buffer.from([0x66, 0xff, 0x00, 0x0a, 0x6f, 0x6b, 0x0a]));
    expect(lines).toEqual(['f\uFFFD\u0000', 'ok']);
  });

  it('starts a rotated file (a new inode at the path) from its start', async () => {
    const log = await follow('rotate.log', 'old one\n');
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, 'new one\n');
    await log.poll();
    expect(lines).toEqual(['old one', 'new one']);
  });

  it('waits while the path is missing, then reads the new file', async () => {
    const log = await follow('gone.log', 'first\n');
    fs.rmSync(file);
    await log.poll();
    fs.writeFileSync(file, 'second\n');
    await log.poll();
    expect(lines).toEqual(['first', 'second']);
    expect(errors).toEqual([]);
  });

  it('starts a truncated file over from its start', async () => {
    const log = await follow('truncate.log', 'a long first line\n');
    fs.truncateSync(file, 0);
    await log.poll();
    fs.appendFileSync(file, 'short\n');
    await log.poll();
    expect(lines).toEqual(['a long first line', 'short']);
  });

  it('says how to let Keysmith read a file it may not', async () => {
    const log = await follow('private.log', 'secret\n');
    await log.poll();
    lines = [];
    fs.chmodSync(file, 0o600);
    const nobody = 65_534;
    fs.chownSync(file, nobody, nobody);
    process.seteuid?.(nobody);
    try {
      await log.poll();
    } finally {
      process.seteuid?.(0);
    }
    expect(errors.at(-1)).toMatch(/EACCES.*adm group.*--sshd-log journal/);
  });

  it('says once that a path cannot be read, and when it can again', async () => {
    const log = await follow('dir.log');
    fs.rmSync(file);
    fs.mkdirSync(file);
    await log.poll();
    await log.poll();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(file);
    fs.rmdirSync(file);
    fs.writeFileSync(file, 'back\n');
    await log.poll();
    expect(lines).toEqual(['back']);
    expect(errors).toHaveLength(2);
  });
});
