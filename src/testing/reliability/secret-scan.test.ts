/**
 * The secret scan itself: it must find what it is for, or a clean result proves nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureConsole, createSecretScanner } from './secret-scan.ts';

const token = 'scan-token-7d2a91c4e0b35f86';

function testKey(): { privateText: string; publicLine: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-scan-'));
  try {
    const file = path.join(dir, 'k');
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', file]);
    return {
      privateText: fs.readFileSync(file, 'utf8'),
      publicLine: fs.readFileSync(`${file}.pub`, 'utf8'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('secret scan', () => {
  it('finds a token, a passphrase and a private key, also one line of it', () => {
    const { privateText, publicLine } = testKey();
    const scanner = createSecretScanner();
    scanner.secret('token', token);
    scanner.secret('passphrase', 'correct horse battery');
    scanner.secret('private key', privateText, publicLine);
    scanner.capture('a', `{"error":{"message":"bad token ${token}"}}`);
    scanner.capture('b', 'your passphrase correct horse battery is wrong');
    scanner.capture('c', `key: ${privateText.split('\n')[2] ?? ''}`);
    scanner.capture('d', `listing ${publicLine}`);
    expect(scanner.findings()).toEqual(['token in a', 'passphrase in b', 'private key in c']);
  });

  it('allows the token only in the sign-in line keysmith serve prints', () => {
    const scanner = createSecretScanner();
    scanner.secret('token', token);
    scanner.capture(
      'server',
      `Keysmith is running for ada: http://127.0.0.1:8022/#token=${token}\nOpen this URL.\n`,
    );
    expect(scanner.findings()).toEqual([]);
    scanner.capture('server', `GET /?token=${token} 200\n`);
    expect(scanner.findings()).toEqual(['token in server']);
  });

  it('captures console output until restored', () => {
    const scanner = createSecretScanner();
    scanner.secret('token', token);
    const restore = captureConsole(scanner, 'app');
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = () => true;
    try {
      console.error('failed with', token);
    } finally {
      process.stderr.write = original;
      restore();
    }
    console.info('after restore');
    expect(scanner.findings()).toEqual(['token in app console.error']);
    expect(scanner.captured()).toBe(1);
  });
});
