/**
 * `keysmith fingerprint [-v] FILE`: prints what `ssh-keygen -l [-v] -f FILE` prints (OpenSSH
 * 9.2 ssh-keygen.c do_fingerprint and fingerprint_private), for .pub files, authorized_keys
 * files (options, comments, blank lines) and OpenSSH ed25519 private keys.
 *
 * One difference: ssh-keygen keeps its `comment` pointer from line to line, so for a key line
 * with neither options nor a comment it prints through a pointer into an earlier line's buffer
 * (leftover or freed memory). That is a memory bug, not a format: here such a line always
 * shows "no comment", as ssh-keygen does when no earlier line set the pointer.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodePrivateKey, privateKeyPublicBlob } from '../openssh/private-key.ts';
import { fingerprintSha256 } from '../openssh/fingerprint.ts';
import { isPublicKeyType, keyTypeLabel, type PublicKeyType } from '../openssh/key-types.ts';
import { parsePublicKeyBlob } from '../openssh/public-key-blob.ts';
import { randomart } from '../openssh/randomart.ts';
import { base64DecodeCanonical } from '../openssh/wire.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const FINGERPRINT_HELP = `Usage: keysmith fingerprint [-v] FILE

Prints the SHA256 fingerprint of every key in FILE, exactly as "ssh-keygen -l -f FILE" does:
a .pub file, an authorized_keys file (options, # comments and blank lines allowed), or an
OpenSSH ed25519 private key (its public half; no passphrase needed). FILE "-" reads stdin.

  -v, --verbose   also print each key's randomart, as "ssh-keygen -lv"
  -h, --help      show this help

Key types: ssh-ed25519, ssh-rsa (1024 bits and up), ecdsa-sha2-nistp256/384/521,
sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com. Lines with other types are
skipped. Exit code 1 when FILE holds no key.
`;

interface FoundKey {
  type: PublicKeyType;
  blob: Uint8Array;
  bits: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const NUL = 0;

/** A C string starting at `at` in `buf` (up to the first NUL). */
function cString(buf: Uint8Array, at: number): Uint8Array {
  let end = at;
  while (end < buf.length && buf[end] !== NUL) end++;
  return buf.subarray(at, end);
}

/**
 * sshkey_read() for any key type: `type base64` at `at`, fields separated by spaces or tabs.
 * Returns the key and the offset of the comment (whitespace skipped), or null.
 */
function tryReadKey(buf: Uint8Array, at: number): { key: FoundKey; next: number } | null {
  let cp = at;
  while (buf[cp] !== NUL && buf[cp] !== SPACE && buf[cp] !== TAB && cp < buf.length) cp++;
  const typeName = Buffer.from(buf.subarray(at, cp)).toString('latin1');
  if (!isPublicKeyType(typeName)) return null;
  while (buf[cp] === SPACE || buf[cp] === TAB) cp++;
  if (buf[cp] === NUL || cp >= buf.length) return null;
  const start = cp;
  while (buf[cp] !== NUL && buf[cp] !== SPACE && buf[cp] !== TAB && cp < buf.length) cp++;
  // b64_pton skips other white space (a CR of a CRLF file) inside the field.
  const base64 = Buffer.from(buf.subarray(start, cp))
    .toString('latin1')
    .replace(/[\n\v\f\r]/g, '');
  while (buf[cp] === SPACE || buf[cp] === TAB) cp++;
  const blob = base64DecodeCanonical(base64);
  if (blob === null) return null;
  try {
    const { type, bits } = parsePublicKeyBlob(blob, typeName, { minRsaBits: 1024 });
    return { key: { type, blob, bits }, next: cp };
  } catch {
    return null;
  }
}

/** Splits into getline(3) lines: each keeps its "\n", the last may lack one. */
function getlines(data: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      lines.push(data.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < data.length) lines.push(data.subarray(start));
  return lines;
}

function fingerprintOneKey(key: FoundKey, comment: Uint8Array | null, verbose: boolean): Buffer {
  const head = `${key.bits} ${fingerprintSha256(key.blob)} `;
  const tail = ` (${keyTypeLabel(key.type)})\n`;
  const art = verbose ? `${randomart(key.blob, key.type, key.bits)}\n` : '';
  return Buffer.concat([
    Buffer.from(head),
    comment === null ? Buffer.from('no comment') : comment,
    Buffer.from(tail + art),
  ]);
}

/**
 * sshkey_try_load_public(): the first line of `path` that reads as a key; its comment, or the
 * file name when it has none. Null when the file is missing or holds no key.
 */
function tryLoadPublic(path: string): { key: FoundKey; comment: Uint8Array } | null {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return null;
  }
  for (const raw of getlines(data)) {
    const line = new Uint8Array(raw.length + 1);
    line.set(raw);
    const first = line[0];
    if (first === 0x23 || first === 0x0a || first === NUL) continue;
    if (Buffer.from(line.subarray(0, 10)).toString('latin1') === '-----BEGIN') break;
    let cp = 0;
    while (line[cp] === SPACE || line[cp] === TAB) cp++;
    if (line[cp] === NUL) continue;
    const found = tryReadKey(line, cp);
    if (found === null) continue;
    const rest = cString(line, found.next);
    const cut = rest.findIndex((c) => c === 0x0d || c === 0x0a);
    const comment = cut < 0 ? rest : rest.subarray(0, cut);
    return { key: found.key, comment: comment.length > 0 ? comment : Buffer.from(path) };
  }
  return null;
}

/** fingerprint_private(): the public half of a private key file and the best comment. */
async function fingerprintPrivate(path: string, text: string, verbose: boolean): Promise<Buffer> {
  let pub = tryLoadPublic(path) ?? tryLoadPublic(`${path}.pub`);
  let comment: Uint8Array | null = pub?.comment ?? null;
  if (pub === null) {
    try {
      const { blob } = privateKeyPublicBlob(text);
      const { type, bits } = parsePublicKeyBlob(blob, undefined, { minRsaBits: 1024 });
      pub = { key: { type, blob, bits }, comment: new Uint8Array(0) };
    } catch {
      pub = null;
    }
  }
  let key = pub?.key ?? null;
  if (key === null || comment === null || comment.length === 0) {
    comment = null;
    try {
      const decoded = await decodePrivateKey(text);
      comment = Buffer.from(decoded.comment);
      if (key === null) {
        const { blob } = privateKeyPublicBlob(text);
        key = { type: 'ssh-ed25519', blob, bits: 256 };
      }
    } catch {
      // Encrypted (no passphrase is asked for here) or unreadable: like ssh-keygen, no comment.
    }
  }
  if (key === null) throw new Error(`${path} is not a key file.`);
  return fingerprintOneKey(key, comment, verbose);
}

/** The fingerprint listing for the contents of FILE; `path` is used in messages as given. */
export async function fingerprintText(
  data: Uint8Array,
  path: string,
  options: { verbose: boolean; stdin?: boolean },
): Promise<{ stdout: Buffer; stderr: string; ok: boolean }> {
  const out: Buffer[] = [];
  // OpenSSH's log ends its stderr lines in CRLF.
  let stderr = '';
  let invalid = true;
  let lnum = 0;
  for (const line of getlines(data)) {
    lnum++;
    // The line as a C string: it ends at its "\n" or at a NUL byte inside it.
    let length = line.findIndex((c) => c === 0x0a || c === NUL);
    if (length < 0) length = line.length;
    const buf = new Uint8Array(length + 1);
    buf.set(line.subarray(0, length));
    let cp = 0;
    while (buf[cp] === SPACE || buf[cp] === TAB) cp++;
    if (buf[cp] === 0x23 || buf[cp] === NUL) continue;

    if (
      lnum === 1 &&
      options.stdin !== true &&
      Buffer.from(cString(buf, cp)).includes('PRIVATE KEY')
    ) {
      const text = Buffer.from(data).toString('utf8');
      const stdout = await fingerprintPrivate(path, text, options.verbose);
      return { stdout, stderr, ok: true };
    }

    let comment: number | null = null;
    let found = tryReadKey(buf, cp);
    if (found === null) {
      // strtol(): a leading non-zero number then a blank is an SSH1 key; no option skipping.
      const number = /^[\t\n\v\f\r ]*[+-]?(\d+)/.exec(
        Buffer.from(cString(buf, cp)).toString('latin1'),
      );
      const value = number ? Number(number[1]) : 0;
      const after = number ? buf[cp + number[0].length] : undefined;
      if (value === 0 || (after !== SPACE && after !== TAB)) {
        // The options (or known_hosts host names) become the comment unless one follows.
        comment = cp;
        let quoted = false;
        for (; buf[cp] !== NUL && (quoted || (buf[cp] !== SPACE && buf[cp] !== TAB)); cp++) {
          if (buf[cp] === 0x5c && buf[cp + 1] === 0x22) cp++;
          else if (buf[cp] === 0x22) quoted = !quoted;
        }
        if (buf[cp] === NUL) continue;
        buf[cp++] = NUL;
      }
      found = tryReadKey(buf, cp);
      if (found === null) {
        if (options.verbose) stderr += `debug1: ${path}:${lnum}: not a public key\r\n`;
        continue;
      }
    }
    cp = found.next;
    while (buf[cp] === SPACE || buf[cp] === TAB) cp++;
    if (buf[cp] !== NUL && buf[cp] !== 0x23) comment = cp;
    out.push(
      fingerprintOneKey(
        found.key,
        comment === null ? null : cString(buf, comment),
        options.verbose,
      ),
    );
    invalid = false;
  }
  if (invalid) {
    stderr += `${path} is not a public key file.\r\n`;
    return { stdout: Buffer.concat(out), stderr, ok: false };
  }
  return { stdout: Buffer.concat(out), stderr, ok: true };
}

/** Runs `keysmith fingerprint`; returns the exit code. */
export async function runFingerprint(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
        // ssh-keygen's spelling, so "keysmith fingerprint -f FILE" works too.
        file: { type: 'string', short: 'f' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, 'fingerprint');
  }
  if (parsed.values.help === true) {
    io.stdout(FINGERPRINT_HELP);
    return 0;
  }
  const files = [
    ...parsed.positionals,
    ...(parsed.values.file === undefined ? [] : [parsed.values.file]),
  ];
  if (files.length !== 1) throw new UsageError('give exactly one FILE', 'fingerprint');
  const [path = ''] = files;
  let data: Uint8Array;
  try {
    data = path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (error) {
    io.stderr(`keysmith fingerprint: cannot read ${path}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    const result = await fingerprintText(data, path === '-' ? '(stdin)' : path, {
      verbose: parsed.values.verbose === true,
      stdin: path === '-',
    });
    io.stdout(result.stdout);
    io.stderr(result.stderr);
    return result.ok ? 0 : 1;
  } catch (error) {
    io.stderr(`${(error as Error).message}\r\n`);
    return 1;
  }
}
