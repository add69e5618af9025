/**
 * What would make sshd ignore an authorized_keys file, each with the command that fixes it:
 * StrictModes (auth.c safe_path) wants the file and every directory up to the home owned by the
 * user or root, with no group or other write bit.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FileWarning } from '../../../api/ssh-keys.ts';
import { errnoCode, shellQuote } from './errno-advice.ts';

export interface StrictModesTarget {
  /** Absolute path of the authorized_keys file. */
  path: string;
  /** The user's home directory: safe_path checks every directory up to it. */
  home: string;
  /** The user name, for the fix commands. */
  user: string;
  /** The uid that must own the file and its directories (root may too). */
  uid: number;
}

/**
 * What StrictModes looks at, gathered by a process that may look (this one in local mode, the
 * user's helper in proxy mode as root, user-process-helper.pl).
 */
export interface StrictModesFacts {
  /** The file as lstat(2) sees it, or the errno code lstat failed with. */
  file: { errno: string } | { type: 'file' | 'link' | 'other'; mode: number; uid: number };
  /**
   * Each directory as stat(2) sees it, from the file's (resolved) up to the home, or up to / when
   * the file is outside the home; none when either cannot be resolved.
   */
  dirs: { path: string; isHome: boolean; mode: number; uid: number }[];
}

function fileWarnings(target: StrictModesTarget, facts: StrictModesFacts): FileWarning[] {
  const file = target.path;
  const quoted = shellQuote(file);
  const stat = facts.file;
  if ('errno' in stat) {
    if (stat.errno === 'ENOENT') return [];
    return [
      {
        code: 'unreadable',
        message: `${file} cannot be examined (${stat.errno}); sshd probably cannot read it either.`,
        fix: `ls -ld ${shellQuote(path.dirname(file))} ${quoted}`,
      },
    ];
  }
  if (stat.type === 'link') {
    return [
      {
        code: 'symlink',
        message: `${file} is a symbolic link. Keysmith neither reads nor writes through links; replace it with a regular file.`,
        fix: `cp --remove-destination "$(readlink -f ${quoted})" ${quoted} && chmod 600 ${quoted}`,
      },
    ];
  }
  if (stat.type === 'other') {
    return [
      {
        code: 'not-a-file',
        message: `${file} is not a regular file, so sshd ignores it.`,
        fix: `ls -ld ${quoted}`,
      },
    ];
  }
  const warnings: FileWarning[] = [];
  if (stat.uid !== target.uid && stat.uid !== 0) {
    warnings.push({
      code: 'file-owner',
      message: `${file} is owned by uid ${stat.uid}, not by you: sshd ignores it (StrictModes).`,
      fix: `sudo chown ${shellQuote(target.user)} ${quoted}`,
    });
  }
  if ((stat.mode & 0o022) !== 0) {
    warnings.push({
      code: 'file-mode',
      message: `${file} can be written by others (mode ${(stat.mode & 0o777).toString(8)}): sshd ignores it (StrictModes).`,
      fix: `chmod 600 ${quoted}`,
    });
  }
  return warnings;
}

function directoryWarnings(target: StrictModesTarget, facts: StrictModesFacts): FileWarning[] {
  const warnings: FileWarning[] = [];
  for (const { path: dir, isHome, mode, uid } of facts.dirs) {
    if (uid !== target.uid && uid !== 0) {
      warnings.push({
        code: isHome ? 'home-owner' : 'dir-owner',
        message: `${dir} is owned by uid ${uid}, not by you: sshd ignores authorized_keys below it (StrictModes).`,
        fix: `sudo chown ${shellQuote(target.user)} ${shellQuote(dir)}`,
      });
    }
    if ((mode & 0o022) !== 0) {
      warnings.push({
        code: isHome ? 'home-mode' : 'dir-mode',
        message: `${dir} can be written by others (mode ${(mode & 0o777).toString(8)}): sshd ignores authorized_keys below it (StrictModes).`,
        fix: isHome ? `chmod go-w ${shellQuote(dir)}` : `chmod 700 ${shellQuote(dir)}`,
      });
    }
  }
  return warnings;
}

/** The facts StrictModes looks at, gathered by this process. */
export function strictModesFacts(target: StrictModesTarget): StrictModesFacts {
  let file: StrictModesFacts['file'];
  try {
    const stat = fs.lstatSync(target.path);
    const type = stat.isSymbolicLink() ? 'link' : stat.isFile() ? 'file' : 'other';
    file = { type, mode: stat.mode, uid: stat.uid };
  } catch (error) {
    file = { errno: errnoCode(error) ?? 'error' };
  }
  const dirs: StrictModesFacts['dirs'] = [];
  let home: string;
  let dir: string;
  try {
    home = fs.realpathSync.native(target.home);
    dir = fs.realpathSync.native(path.dirname(target.path));
  } catch {
    return { file, dirs };
  }
  const insideHome = dir === home || dir.startsWith(home.endsWith('/') ? home : `${home}/`);
  for (;;) {
    const isHome = insideHome && dir === home;
    let stat;
    try {
      stat = fs.statSync(dir);
    } catch {
      break;
    }
    dirs.push({ path: dir, isHome, mode: stat.mode, uid: stat.uid });
    if (isHome || dir === '/') break;
    dir = path.dirname(dir);
  }
  return { file, dirs };
}

/** The warnings StrictModes `facts` call for, each with the command that fixes it. */
export function strictModesWarningsOf(
  target: StrictModesTarget,
  facts: StrictModesFacts,
): FileWarning[] {
  return [...fileWarnings(target, facts), ...directoryWarnings(target, facts)];
}

/**
 * The StrictModes audit of the file and its directories. Synchronous: a few lstat/stat calls on
 * inodes the kernel holds cost less than a trip through libuv's thread pool.
 */
export function strictModesWarnings(target: StrictModesTarget): FileWarning[] {
  return strictModesWarningsOf(target, strictModesFacts(target));
}
