/**
 * `keysmith fingerprint [-v] FILE`: prints exactly what `ssh-keygen -l [-v] -f FILE` prints
 * (OpenSSH 9.2 ssh-keygen.c do_fingerprint and fingerprint_private), for .pub files,
 * authorized_keys files (options, comments, blank lines) and OpenSSH ed25519 private keys.
 *
 * ssh-keygen reads each line into one reused getline() buffer and keeps a `comment` pointer
 * into it across lines (and OpenSSH's log ends stderr lines in CRLF), so a key line without a comment after one with options or a comment
 * prints whatever the buffer holds at that offset. To match it byte for byte, the walk below
 * runs over a simulated C buffer the same way.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodePrivateKey, privateKeyPublicBlob } from '../crypto/private-key.ts';
import {
  fingerprintSha256,
  isPublicKeyType,
  keyTypeLabel,
  parsePublicKeyBlob,
  type PublicKeyType,
} from '../crypto/public-key.ts';
import { randomart } from '../crypto/randomart.ts';
import { base64DecodeCanonical } from '../crypto/wire.ts';
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
): Promise<{ stdout: Buffer; stderr: string; ok: boolean; undefinedComment: boolean }> {
  const out: Buffer[] = [];
  let stderr = '';
  let invalid = true;
  // The getline(3) buffer, reused from line to line; bytes past a line's end stay as they were.
  let buf = new Uint8Array(120); // glibc getdelim's first allocation
  let comment: number | null = null;
  let danglingComment = false;
  let undefinedComment = false;
  let lnum = 0;
  for (const line of getlines(data)) {
    lnum++;
    if (buf.length < line.length + 1) {
      // glibc getdelim() reallocs to max(2n, needed), usually moving the buffer: a comment
      // kept from an earlier line then points into freed memory (undefined behaviour in
      // ssh-keygen; seen printing "" or heap bytes). We print "" and report it.
      const grown = new Uint8Array(Math.max(buf.length * 2, line.length + 1));
      grown.set(buf);
      buf = grown;
      if (comment !== null) danglingComment = true;
    }
    buf.set(line);
    buf[line.length] = NUL;
    for (let i = 0; buf[i] !== NUL; i++) {
      if (buf[i] === 0x0a) {
        buf[i] = NUL;
        break;
      }
    }
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
      return { stdout, stderr, ok: true, undefinedComment };
    }

    let found = tryReadKey(buf, cp);
    if (found === null) {
      // strtol(): a leading non-zero number then a blank is an SSH1 key; no option skipping.
      const number = /^[\t\n\v\f\r ]*[+-]?(\d+)/.exec(
        Buffer.from(cString(buf, cp)).toString('latin1'),
      );
      const value = number ? Number(number[1]) : 0;
      const after = number ? buf[cp + number[0].length] : undefined;
      if (value === 0 || (after !== SPACE && after !== TAB)) {
        comment = cp;
        danglingComment = false;
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
    if (buf[cp] !== NUL && buf[cp] !== 0x23) {
      comment = cp;
      danglingComment = false;
    }
    if (comment !== null && danglingComment) undefinedComment = true;
    const shown =
      comment === null ? null : danglingComment ? new Uint8Array(0) : cString(buf, comment);
    out.push(fingerprintOneKey(found.key, shown, options.verbose));
    invalid = false;
  }
  if (invalid)
    return {
      stdout: Buffer.concat(out),
      stderr: `${stderr}${path} is not a public key file.\r\n`,
      ok: false,
      undefinedComment,
    };
  return { stdout: Buffer.concat(out), stderr, ok: true, undefinedComment };
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
