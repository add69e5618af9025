/**
 * The journal follower's process handling, with a stand-in journalctl: the trusted-field
 * matches and the directory are passed, lines that are not JSON are skipped, and after an exit
 * it starts again after the last cursor read, saying so once. The real journalctl reading a
 * real journal file is in sshd-log.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followJournal } from './sshd-log-journal.ts';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-journal-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function eventually(check: () => void) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('followJournal', () => {
  it('passes the matches, skips what is not JSON, and resumes after the last cursor', async () => {
    const argsFile = path.join(dir, 'args');
    const fake = path.join(dir, 'journalctl');
    fs.writeFileSync(
      fake,
      [
        '#!/bin/sh',
        `echo "$*" >> ${argsFile}`,
        'case "$*" in *--after-cursor=c2*)',
        `  echo '{"__CURSOR":"c3","MESSAGE":"third"}'`,
        '  exec sleep 30;;',
        'esac',
        `echo '{"__CURSOR":"c1","MESSAGE":"first"}'`,
        'echo "not json"',
        `echo '{"__CURSOR":"c2","MESSAGE":"second"}'`,
        'echo "journal rotated" >&2',
        'exit 3',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const messages: unknown[] = [];
    const errors: string[] = [];
    const follower = followJournal(
      (entry) => messages.push((entry as { MESSAGE: unknown }).MESSAGE),
      {
        journalctl: fake,
        directory: '/var/log/journal',
        restartMs: 10,
        onError: (message) => errors.push(message),
      },
    );
    try {
      await eventually(() => expect(messages).toEqual(['first', 'second', 'third']));
      const runs = fs.readFileSync(argsFile, 'utf8').trim().split('\n');
      expect(runs).toHaveLength(2);
      expect(runs[0]).toContain('--lines=all');
      expect(runs[0]).toContain('--directory /var/log/journal');
      expect(runs[0]).toMatch(/_COMM=sshd _COMM=sshd-session _UID=0$/);
      expect(runs[1]).toContain('--after-cursor=c2');
      expect(runs[1]).not.toContain('--lines=all');
      expect(errors).toEqual(['journalctl exited (3): journal rotated; starting it again']);
    } finally {
      await follower.close();
    }
  });

  it('says once that journalctl keeps failing the same way, however often it is tried', async () => {
    const runsFile = path.join(dir, 'runs');
    const fake = path.join(dir, 'failing-journalctl');
    fs.writeFileSync(
      fake,
      `#!/bin/sh\necho run >> ${runsFile}\necho "no journal files" >&2\nexit 1\n`,
      {
        mode: 0o755,
      },
    );
    const errors: string[] = [];
    const follower = followJournal(() => undefined, {
      journalctl: fake,
      restartMs: 1,
      onError: (message) => errors.push(message),
    });
    try {
      await eventually(() =>
        expect(fs.readFileSync(runsFile, 'utf8').split('\n').length).toBeGreaterThan(4),
      );
      expect(errors).toEqual(['journalctl exited (1): no journal files; starting it again']);
    } finally {
      await follower.close();
    }
  });

  it('says that journalctl cannot run when it is missing', async () => {
    const errors: string[] = [];
    const follower = followJournal(() => undefined, {
      journalctl: path.join(dir, 'missing'),
      onError: (message) => errors.push(message),
    });
    try {
      await eventually(() => expect(errors).toHaveLength(1));
      expect(errors[0]).toMatch(/cannot run journalctl: .*ENOENT; starting it again/);
    } finally {
      await follower.close();
    }
  });
});
