/**
 * What would make sshd ignore an authorized_keys file, each with the command that fixes it:
 * StrictModes (auth.c safe_path) wants the file and every directory up to the home owned by the
 * user or root, with no group or other write bit.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FileWarning } from '../../api/ssh-keys.ts';
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

function fileWarnings(target: StrictModesTarget): FileWarning[] {
  const file = target.path;
  const quoted = shellQuote(file);
  let stat;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    return [
      {
        code: 'unreadable',
        message: `${file} cannot be examined (${errnoCode(error) ?? 'error'}); sshd probably cannot read it either.`,
        fix: `ls -ld ${shellQuote(path.dirname(file))} ${quoted}`,
      },
    ];
  }
  if (stat.isSymbolicLink()) {
    return [
      {
        code: 'symlink',
        message: `${file} is a symbolic link. Keysmith neither reads nor writes through links; replace it with a regular file.`,
        fix: `cp --remove-destination "$(readlink -f ${quoted})" ${quoted} && chmod 600 ${quoted}`,
      },
    ];
  }
  if (!stat.isFile()) {
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

/** Every directory from the file's up to the home directory (or / when outside it). */
function directoryWarnings(target: StrictModesTarget): FileWarning[] {
  const warnings: FileWarning[] = [];
  let home: string;
  let dir: string;
  try {
    home = fs.realpathSync.native(target.home);
    dir = fs.realpathSync.native(path.dirname(target.path));
  } catch {
    return warnings;
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
    if (stat.uid !== target.uid && stat.uid !== 0) {
      warnings.push({
        code: isHome ? 'home-owner' : 'dir-owner',
        message: `${dir} is owned by uid ${stat.uid}, not by you: sshd ignores authorized_keys below it (StrictModes).`,
        fix: `sudo chown ${shellQuote(target.user)} ${shellQuote(dir)}`,
      });
    }
    if ((stat.mode & 0o022) !== 0) {
      warnings.push({
        code: isHome ? 'home-mode' : 'dir-mode',
        message: `${dir} can be written by others (mode ${(stat.mode & 0o777).toString(8)}): sshd ignores authorized_keys below it (StrictModes).`,
        fix: isHome ? `chmod go-w ${shellQuote(dir)}` : `chmod 700 ${shellQuote(dir)}`,
      });
    }
    if (isHome || dir === '/') break;
    dir = path.dirname(dir);
  }
  return warnings;
}

/**
 * The StrictModes audit of the file and its directories. Synchronous: a few lstat/stat calls on
 * inodes the kernel holds cost less than a trip through libuv's thread pool.
 */
export function strictModesWarnings(target: StrictModesTarget): FileWarning[] {
  return [...fileWarnings(target), ...directoryWarnings(target)];
}
