/**
 * `keysmith serve --policy FILE` and `--sshd-log PATH|journal`, also from `--config FILE`: a bad
 * policy file stops the start with a message naming the field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_POLICY } from '../api/policy.ts';
import { parseServeArgs } from './serve-command.ts';

let dir: string;

function writeFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function configOf(result: ReturnType<typeof parseServeArgs>) {
  if (!('config' in result)) throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

function errorOf(result: ReturnType<typeof parseServeArgs>): string {
  if (!('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-policy-flags-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('--policy FILE', () => {
  it('reads the limits, every field spelled out for the API', () => {
    const file = writeFile('policy.json', { maxLifetimeDays: 180, allowedAccess: ['restricted'] });
    expect(configOf(parseServeArgs(['--policy', file], {})).policy).toEqual({
      ...NO_POLICY,
      maxLifetimeDays: 180,
      allowedAccess: ['restricted'],
    });
  });

  it('sets no policy without the flag', () => {
    expect(configOf(parseServeArgs([], {})).policy).toBeUndefined();
  });

  it.each([
    ['a value out of range', { maxLifetimeDays: 0 }, '"maxLifetimeDays"'],
    ['an unknown key type', { allowedKeyTypes: ['ssh-dss'] }, '"allowedKeyTypes.0"'],
    ['an unknown access level', { allowedAccess: ['custom'] }, '"allowedAccess.0"'],
    ['a misspelt field', { maxLifetimeDay: 90 }, 'maxLifetimeDay'],
    ['JSON that is not an object', '[1]', 'expected object'],
    ['text that is not JSON', '{', 'readable JSON'],
  ])('stops the start on %s, naming it', (_, content, named) => {
    const file = writeFile('policy.json', content);
    const error = errorOf(parseServeArgs(['--policy', file], {}));
    expect(error).toContain(`--policy ${file}`);
    expect(error).toContain(named);
  });

  it('says what to do about a file that cannot be read', () => {
    const error = errorOf(parseServeArgs(['--policy', path.join(dir, 'missing.json')], {}));
    expect(error).toMatch(/missing\.json.*Give a readable JSON file/);
  });

  it('is taken from --config too', () => {
    const policy = writeFile('policy.json', { requireFrom: true });
    const config = writeFile('config.json', { policy, 'sshd-log': 'journal' });
    const parsed = configOf(parseServeArgs(['--config', config], {}));
    expect(parsed.policy?.requireFrom).toBe(true);
    expect(parsed.sshdLog).toEqual({ kind: 'journal' });
  });
});

describe('--sshd-log', () => {
  it('takes journal, or a file path made absolute', () => {
    expect(configOf(parseServeArgs(['--sshd-log', 'journal'], {})).sshdLog).toEqual({
      kind: 'journal',
    });
    expect(configOf(parseServeArgs(['--sshd-log', 'auth.log'], {})).sshdLog).toEqual({
      kind: 'file',
      path: path.resolve('auth.log'),
    });
    expect(configOf(parseServeArgs([], {})).sshdLog).toBeUndefined();
  });

  it('refuses an empty value with what to give', () => {
    expect(errorOf(parseServeArgs(['--sshd-log', ''], {}))).toMatch(/\/var\/log\/auth\.log/);
  });
});
