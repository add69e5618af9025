import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePrivateKey } from '../openssh/private-key.ts';
import { parsePublicKey } from '../openssh/public-key-line.ts';
import { runFingerprint } from './fingerprint-command.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/node/cli/main.js');
const fixtures = fileURLToPath(new URL('../openssh/fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'keysmith-cli-'));

/** Newest modification time under a folder, to rebuild dist only when sources changed. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

beforeAll(() => {
  // git keeps no 0600: a fresh clone has the private key fixtures 0644, and ssh-keygen will not
  // load a private key that others can read ("UNPROTECTED PRIVATE KEY FILE"), which is right.
  for (const name of readdirSync(fixtures).filter((f) => f.endsWith('.key'))) {
    chmodSync(join(fixtures, name), 0o600);
  }
  // `npm test` builds before vitest; a lone `npx vitest run src/cli` builds here if needed.
  const sources = Math.max(newest(join(root, 'src/cli')), newest(join(root, 'src/crypto')));
  if (!existsSync(cli) || statSync(cli).mtimeMs < sources) {
    // tsc still emits when other folders have type errors; `npm test` reports those itself.
    spawnSync('npx', ['tsc', '-p', 'tsconfig.node.json'], { cwd: root, stdio: 'ignore' });
    if (!existsSync(cli)) throw new Error('tsc -p tsconfig.node.json did not produce ' + cli);
  }
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function keysmith(args: string[], input?: string) {
  const r = spawnSync('node', [cli, ...args], {
    encoding: 'utf8',
    input: input ?? '',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sshKeygen(args: string[]) {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8', input: '', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `keysmith fingerprint` in this process (spawning node per case is slow on 2 cores). */
async function fingerprint(args: string[]) {
  const out: Buffer[] = [];
  let stderr = '';
  const status = await runFingerprint(args, {
    stdout: (chunk) => out.push(Buffer.from(chunk)),
    stderr: (text) => (stderr += text),
  });
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('keysmith keygen', () => {
  it('makes a passphrase-protected key that ssh-keygen -y -P "$(cat pass)" accepts', async () => {
    const dir = join(work, 'pass');
    mkdirSync(dir);
    const passFile = join(dir, 'pass.txt');
    writeFileSync(passFile, 'pässwörd 鍵 🔑\n');
    const out = join(dir, 'id_ed25519');
    const made = keysmith([
      'keygen',
      '--out',
      out,
      '--passphrase-file',
      passFile,
      '--comment',
      'Jürgen@keysmith',
    ]);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(mode(out)).toBe(0o600);
    expect(mode(`${out}.pub`)).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['id_ed25519', 'id_ed25519.pub', 'pass.txt']);

    const pass = execFileSync('sh', ['-c', `cat '${passFile}'`], { encoding: 'utf8' }).replace(
      /\n$/,
      '',
    );
    const shown = sshKeygen(['-y', '-P', pass, '-f', out]);
    expect(shown.stdout).toBe(readFileSync(`${out}.pub`, 'utf8'));
    expect(shown.stdout).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ Jürgen@keysmith\n$/);
    expect(sshKeygen(['-y', '-P', `${pass}\n`, '-f', out]).status).not.toBe(0);
    expect(made.stdout).toBe(sshKeygen(['-l', '-f', `${out}.pub`]).stdout);
    const decoded = await decodePrivateKey(readFileSync(out, 'utf8'), { passphrase: pass });
    expect(decoded.rounds).toBe(24);
  });

  it('makes an unencrypted key with the default USER@HOST comment, and honours --rounds', async () => {
    const out = join(work, 'plain');
    const made = keysmith(['keygen', '--out', out]);
    expect(made.status).toBe(0);
    const comment = `${userInfo().username}@${hostname()}`;
    expect(parsePublicKey(readFileSync(`${out}.pub`, 'utf8')).comment).toBe(comment);
    expect(sshKeygen(['-y', '-f', out]).stdout).toBe(readFileSync(`${out}.pub`, 'utf8'));
    expect((await decodePrivateKey(readFileSync(out, 'utf8'))).encrypted).toBe(false);

    const passFile = join(work, 'short-pass');
    writeFileSync(passFile, 'pw');
    const rounds = join(work, 'rounds');
    expect(
      keysmith([
        'keygen',
        '--out',
        rounds,
        '--passphrase-file',
        passFile,
        '--rounds',
        '16',
        '--comment',
        '',
      ]).status,
    ).toBe(0);
    expect(
      (await decodePrivateKey(readFileSync(rounds, 'utf8'), { passphrase: 'pw' })).rounds,
    ).toBe(16);
    // Like ssh-keygen, the .pub of a comment-less key ends in a space; `ssh-keygen -y` omits it.
    expect(readFileSync(`${rounds}.pub`, 'utf8')).toMatch(/ \n$/);
    expect(sshKeygen(['-y', '-P', 'pw', '-f', rounds]).stdout).toBe(
      readFileSync(`${rounds}.pub`, 'utf8').replace(/ \n$/, '\n'),
    );
  });

  it('refuses to overwrite either file without --force, and replaces both with it', () => {
    const out = join(work, 'twice');
    expect(keysmith(['keygen', '--out', out]).status).toBe(0);
    const before = readFileSync(out, 'utf8');
    const again = keysmith(['keygen', '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/twice already exists; use --force to replace it/);
    expect(readFileSync(out, 'utf8')).toBe(before);

    const onlyPub = join(work, 'only-pub');
    writeFileSync(`${onlyPub}.pub`, 'keep me\n');
    expect(keysmith(['keygen', '--out', onlyPub]).status).toBe(1);
    expect(existsSync(onlyPub)).toBe(false);
    expect(readFileSync(`${onlyPub}.pub`, 'utf8')).toBe('keep me\n');

    const forced = keysmith(['keygen', '--out', out, '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe(before);
    expect(mode(out)).toBe(0o600);
    expect(mode(`${out}.pub`)).toBe(0o644);
    expect(sshKeygen(['-y', '-f', out]).stdout).toBe(readFileSync(`${out}.pub`, 'utf8'));
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves no file behind when it cannot write', () => {
    const out = join(work, 'missing-dir', 'key');
    const result = keysmith(['keygen', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^keysmith keygen: .*ENOENT/);
    expect(existsSync(join(work, 'missing-dir'))).toBe(false);
  });

  it('reports usage mistakes with exit code 2 and bad inputs with 1', () => {
    expect(keysmith(['keygen']).status).toBe(2);
    expect(keysmith(['keygen']).stderr).toMatch(/--out PATH is required/);
    const unknown = keysmith(['keygen', '--out', join(work, 'x'), '--bits', '4096']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--bits'.*keysmith keygen --help/);
    expect(keysmith(['keygen', '--out', join(work, 'x'), '--rounds', '0']).stderr).toMatch(
      /--rounds must be a whole number/,
    );
    expect(keysmith(['keygen', '--out', join(work, 'x'), '--comment', 'a\tb']).status).toBe(2);
    const empty = join(work, 'empty-pass');
    writeFileSync(empty, '\n');
    const emptyRun = keysmith(['keygen', '--out', join(work, 'x'), '--passphrase-file', empty]);
    expect(emptyRun.status).toBe(1);
    expect(emptyRun.stderr).toMatch(/passphrase file .* is empty; leave out --passphrase-file/);
    expect(existsSync(join(work, 'x'))).toBe(false);
    expect(keysmith(['frobnicate']).status).toBe(2);
    expect(keysmith([]).status).toBe(2);
  });

  it('has help for every command', () => {
    const help = keysmith(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/serve[\s\S]*keygen --out PATH[\s\S]*fingerprint \[-v\] FILE/);
    expect(keysmith(['help']).stdout).toBe(help.stdout);
    expect(keysmith(['keygen', '--help']).stdout).toMatch(/--passphrase-file F/);
    expect(keysmith(['help', 'keygen']).stdout).toMatch(/--passphrase-file F/);
    expect(keysmith(['fingerprint', '--help']).stdout).toMatch(/ssh-keygen -l -f FILE/);
    expect(keysmith(['serve', '--help']).stdout).toMatch(/keysmith serve/);
  });
});

describe('keysmith fingerprint prints what ssh-keygen -l prints', () => {
  const files = readdirSync(fixtures).filter(
    (f) =>
      f.endsWith('.pub') || f.endsWith('.key') || f === 'authorized_keys' || f.endsWith('.pub.txt'),
  );

  it.each(files.flatMap((f) => [[f, '-l'] as const, [f, '-lv'] as const]))(
    '%s (%s)',
    async (name, flag) => {
      const path = join(fixtures, name);
      const ours = await fingerprint(flag === '-l' ? [path] : ['-v', path]);
      const theirs = sshKeygen([flag, '-f', path]);
      expect(ours.status).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
      const committed = join(fixtures, `${name}.${flag.slice(1)}.txt`);
      if (existsSync(committed)) expect(ours.stdout).toBe(readFileSync(committed, 'utf8'));
      if (name === 'authorized_keys') expect(ours.stderr).toBe(theirs.stderr);
    },
  );

  it('files with no valid key: same message, exit 1 (ssh-keygen: 255)', async () => {
    const cases = {
      garbage: 'not a key\n',
      empty: '',
      comments: '# only\n\n  # comments\n',
      truncated: 'ssh-ed25519 AAAAC3Nz\n',
    };
    for (const [name, text] of Object.entries(cases)) {
      const path = join(work, `none-${name}`);
      writeFileSync(path, text);
      const ours = await fingerprint([path]);
      const theirs = sshKeygen(['-l', '-f', path]);
      expect(theirs.status).toBe(255);
      expect(ours.status).toBe(1);
      expect(ours.stdout).toBe('');
      expect(ours.stderr).toBe(theirs.stderr);
    }
  });

  it('private keys without a .pub beside them, or with a comment-less one', async () => {
    const dir = join(work, 'private');
    mkdirSync(dir);
    for (const name of ['ed25519-plain', 'ed25519-empty-comment', 'ed25519-pass-a16']) {
      copyFileSync(join(fixtures, `${name}.key`), join(dir, name));
    }
    copyFileSync(join(fixtures, 'ed25519-plain.key'), join(dir, 'with-bare-pub'));
    writeFileSync(
      join(dir, 'with-bare-pub.pub'),
      `${readFileSync(join(fixtures, 'ed25519-plain.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
    );
    for (const name of readdirSync(dir).filter((f) => !f.endsWith('.pub'))) {
      const path = join(dir, name);
      expect((await fingerprint([path])).stdout).toBe(sshKeygen(['-l', '-f', path]).stdout);
    }
    expect((await fingerprint([join(dir, 'with-bare-pub')])).stdout).toContain(
      ` ${join(dir, 'with-bare-pub')}.pub (ED25519)`,
    );
  });

  it('the built command: an authorized_keys file with -v, and stdin for "-"', () => {
    const path = join(fixtures, 'authorized_keys');
    const ours = keysmith(['fingerprint', '-v', path]);
    const theirs = sshKeygen(['-lv', '-f', path]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stderr).toBe(theirs.stderr);
    const text = readFileSync(path, 'utf8');
    const piped = keysmith(['fingerprint', '-'], text);
    const theirsPiped = spawnSync('ssh-keygen', ['-l', '-f', '-'], {
      encoding: 'utf8',
      input: text,
    });
    expect(piped.stdout).toBe(theirsPiped.stdout);
  });

  it('a missing file is an error naming it', () => {
    const result = keysmith(['fingerprint', join(work, 'nope')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot read .*nope/);
    expect(keysmith(['fingerprint']).status).toBe(2);
  });
});
