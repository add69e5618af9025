/**
 * The StrictModes audit on a real file system: each mode and owner sshd refuses (auth.c
 * safe_path) is reported, and each fix command it gives makes the warning go away.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strictModesWarnings, type StrictModesTarget } from './strict-modes.ts';

let dir: string;
let counter = 0;

/** A fresh home (0755) with ~/.ssh (0700) and authorized_keys (0600), all owned by root. */
function makeHome(): StrictModesTarget {
  counter += 1;
  const home = path.join(dir, `home${counter}`);
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  fs.chmodSync(home, 0o755);
  fs.chmodSync(path.join(home, '.ssh'), 0o700);
  const file = path.join(home, '.ssh', 'authorized_keys');
  fs.writeFileSync(file, '# keys\n', { mode: 0o600 });
  return { path: file, home, user: 'ada', uid: 0 };
}

function runFix(fix: string) {
  // Tests run as root, where the "sudo" of a fix is not needed (and may not be installed).
  execSync(fix.replace(/^sudo /, ''), { stdio: 'inherit', shell: '/bin/sh' });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-strict-modes-'));
  fs.chmodSync(dir, 0o755);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('strictModesWarnings', () => {
  it('finds nothing wrong with a home, ~/.ssh and file as sshd wants them', () => {
    expect(strictModesWarnings(makeHome())).toEqual([]);
  });

  it('warns about each thing that makes sshd ignore the file, and each fix works', () => {
    const target = makeHome();
    fs.chmodSync(target.path, 0o664);
    fs.chmodSync(path.dirname(target.path), 0o770);
    fs.chmodSync(target.home, 0o777);
    const warnings = strictModesWarnings(target);
    expect(warnings.map((w) => w.code).sort()).toEqual(['dir-mode', 'file-mode', 'home-mode']);
    for (const warning of warnings) runFix(warning.fix);
    expect(strictModesWarnings(target)).toEqual([]);
  });

  it('warns when the file or ~/.ssh is owned by someone else, and each fix works', () => {
    const target = { ...makeHome(), uid: 4343 };
    fs.chownSync(target.home, 4343, 4343);
    fs.chownSync(target.path, 4242, 4242);
    fs.chownSync(path.dirname(target.path), 4242, 4242);
    const warnings = strictModesWarnings(target);
    expect(warnings.map((w) => w.code).sort()).toEqual(['dir-owner', 'file-owner']);
    expect(warnings.every((w) => w.fix.startsWith('sudo chown ada '))).toBe(true);
    for (const warning of warnings) runFix(warning.fix.replace('chown ada', 'chown 4343'));
    expect(strictModesWarnings(target)).toEqual([]);
  });

  it('reports a symbolic link and a file that is not a regular file, not their targets', () => {
    const target = makeHome();
    const elsewhere = path.join(dir, `elsewhere${counter}`);
    fs.writeFileSync(elsewhere, '', { mode: 0o666 });
    fs.rmSync(target.path);
    fs.symlinkSync(elsewhere, target.path);
    expect(strictModesWarnings(target).map((w) => w.code)).toEqual(['symlink']);
    fs.rmSync(target.path);
    fs.mkdirSync(target.path);
    expect(strictModesWarnings(target).map((w) => w.code)).toEqual(['not-a-file']);
  });

  it('checks every directory up to / when the file is outside the home', () => {
    const target = makeHome();
    const outside = path.join(dir, `outside${counter}`);
    fs.mkdirSync(path.join(outside, 'a', 'b'), { recursive: true, mode: 0o755 });
    fs.chmodSync(outside, 0o777);
    const warnings = strictModesWarnings({ ...target, path: path.join(outside, 'a', 'b', 'keys') });
    expect(warnings.map((w) => [w.code, w.fix])).toContainEqual([
      'dir-mode',
      `chmod 700 ${outside}`,
    ]);
    expect(warnings.filter((w) => w.code.startsWith('home-'))).toEqual([]);
  });
});
