import { describe, expect, it } from 'vitest';
import { fileError, shellQuote } from './errno-advice.ts';

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: failed`), { code });
}

describe('fileError', () => {
  const file = '/home/ada/.ssh/authorized_keys';

  it('says for each failure what to do next, with the status the API answers', () => {
    const cases: [string, number, string][] = [
      ['EACCES', 500, 'ls -ld /home/ada/.ssh /home/ada/.ssh/authorized_keys'],
      ['EPERM', 500, 'Permission denied writing'],
      ['ENOSPC', 500, 'Free some space'],
      ['EDQUOT', 500, 'quota'],
      ['EROFS', 500, 'read-only file system'],
      ['ENOTDIR', 500, 'is not a directory'],
      ['ELOOP', 409, 'cp --remove-destination'],
      ['ENOENT', 500, 'does not exist'],
      ['ELOCKED', 503, 'Try again in a moment'],
      ['EIO', 500, 'Could not writing /home/ada/.ssh/authorized_keys (EIO)'],
    ];
    for (const [code, status, text] of cases) {
      const error = fileError(errno(code), 'writing', file);
      expect([code, error.code, error.status]).toEqual([code, 'file-error', status]);
      expect(error.message).toContain(text);
    }
  });

  it('says the old file is intact wherever the change stopped before the rename', () => {
    for (const code of ['EACCES', 'ENOSPC', 'EROFS', 'ENOTDIR', 'ENOENT', 'EIO']) {
      expect(fileError(errno(code), 'writing', file).message).toContain(
        'authorized_keys is unchanged.',
      );
    }
  });
});

describe('shellQuote', () => {
  it('leaves plain paths alone and quotes anything a shell would read otherwise', () => {
    expect(shellQuote('/home/ada/.ssh')).toBe('/home/ada/.ssh');
    expect(shellQuote('/home/a b')).toBe("'/home/a b'");
    expect(shellQuote("/home/it's $(id)")).toBe(`'/home/it'\\''s $(id)'`);
  });
});
