/**
 * Unicode bidirectional controls (UAX #9) make text display as something else: a comment
 * `ada@laptop\u202Egpj.exe` reads "ada@laptopexe.jpg". Through the HTTP app over an in-memory
 * file: an import carrying one is refused, and a line already in the file is listed with them
 * escaped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../../api/ssh-keys.ts';
import { createApp } from './app.ts';
import { createMemoryKeyStore } from '../store/memory-key-store.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';

const BIDI_CONTROLS = [
  '\u061C',
  '\u200E',
  '\u200F',
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];

let dir: string;
let key: TestKey;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-bidi-'));
  key = makeTestKey(dir, 'k');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function setup(initialText: string) {
  const store = createMemoryKeyStore(initialText);
  const app = createApp({
    authenticate: () => Promise.resolve({ user: 'ada', mode: 'mock' }),
    storeFor: () => store,
    now: () => new Date('2026-03-04T05:06:07Z'),
  });
  return { app, store };
}

/** The key's `type base64` without ssh-keygen's comment. */
function keyWithoutComment(): string {
  return key.publicLine.split(' ').slice(0, 2).join(' ');
}

describe('bidirectional controls in comments', () => {
  it('refuses an import whose comment carries one, naming it, and writes nothing', async () => {
    const { app, store } = setup('');
    for (const control of BIDI_CONTROLS) {
      const code = `U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      const response = await app.request(apiPaths.sshKeys, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ publicKey: `${keyWithoutComment()} ada@laptop${control}gpj.exe` }),
      });
      expect(response.status, code).toBe(400);
      const { error } = errorResponseSchema.parse(await response.json());
      expect(error.code).toBe('invalid-key');
      expect(error.message).toBe(
        `The comment contains a Unicode bidirectional control (${code}), which can make it display as different text. Remove it and try again.`,
      );
    }
    expect((await store.list()).keys).toEqual([]);
  });

  it('lists a line already in the file with each control escaped as \\uXXXX', async () => {
    const comment = `ada@laptop${BIDI_CONTROLS.join('')}gpj.exe`;
    const { app } = setup(`${keyWithoutComment()} ${comment}\n`);
    const response = await app.request(apiPaths.sshKeys);
    const text = await response.text();
    expect(text).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u);
    const [listed] = listKeysResponseSchema.parse(JSON.parse(text)).keys;
    const escaped =
      'ada@laptop\\u061C\\u200E\\u200F\\u202A\\u202B\\u202C\\u202D\\u202E\\u2066\\u2067\\u2068\\u2069gpj.exe';
    expect(listed?.comment).toBe(escaped);
    expect(listed?.publicKey).toBe(`${keyWithoutComment()} ${escaped}`);
    expect(listed?.fingerprint).toBe(key.fingerprint);
  });
});
