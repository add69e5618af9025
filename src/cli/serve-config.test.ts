/**
 * `keysmith serve --config FILE`: a JSON object of flags, checked by the same schema as the
 * command line, which wins; unknown keys are refused by name. Also `--audit-log`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from './serve-command.ts';

let dir: string;

function configFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function errorOf(result: ReturnType<typeof parseServeArgs>): string {
  if (!('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-config-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('--config FILE', () => {
  const proxy = {
    auth: 'proxy',
    host: '127.0.0.1',
    port: 8022,
    'trusted-proxy': ['127.0.0.2'],
    'public-url': 'https://keys.example.org',
    'audit-log': '/var/log/keysmith/audit.log',
  };

  it('takes every flag from the file, numbers as numbers', () => {
    const result = parseServeArgs(['--config', configFile('proxy.json', proxy)], {});
    expect(result).toMatchObject({
      config: {
        auth: 'proxy',
        host: '127.0.0.1',
        port: 8022,
        trustedProxies: ['127.0.0.2'],
        publicUrl: 'https://keys.example.org',
        auditLog: '/var/log/keysmith/audit.log',
      },
    });
  });

  it('lets the command line win, a repeatable flag with its whole list', () => {
    const file = configFile('proxy.json', proxy);
    const result = parseServeArgs(
      ['--port', '9100', '--config', file, '--trusted-proxy', '10.0.0.5'],
      {},
    );
    expect(result).toMatchObject({ config: { port: 9100, trustedProxies: ['10.0.0.5'] } });
  });

  it('validates the file with the flags schema', () => {
    const file = configFile('bad-port.json', { ...proxy, port: 'eighty' });
    expect(errorOf(parseServeArgs(['--config', file], {}))).toMatch(/--port must be a number/);
    const local = configFile('local-public.json', { 'public-url': 'https://keys.example.org' });
    expect(errorOf(parseServeArgs(['--config', local], {}))).toMatch(/--public-url is for proxy/);
  });

  it('refuses unknown keys, naming each, and the keys that are no flags', () => {
    const file = configFile('unknown.json', { ...proxy, prot: 1, '--host': 'x', config: 'y' });
    const error = errorOf(parseServeArgs(['--config', file], {}));
    expect(error).toContain('unknown keys "prot", "--host", "config"');
    expect(error).toContain('flag names without "--"');
  });

  it('refuses a value of the wrong kind, a file that is no JSON object, and a missing file', () => {
    const wrong = configFile('wrong.json', { 'trusted-proxy': [{ ip: '10.0.0.1' }] });
    expect(errorOf(parseServeArgs(['--config', wrong], {}))).toMatch(
      /"trusted-proxy" must be a string or a list of strings/,
    );
    const list = configFile('list.json', ['--port', '1']);
    expect(errorOf(parseServeArgs(['--config', list], {}))).toMatch(/must hold a JSON object/);
    const broken = configFile('broken.json', '{"port": ');
    expect(errorOf(parseServeArgs(['--config', broken], {}))).toMatch(/readable JSON file/);
    const missing = path.join(dir, 'missing.json');
    expect(errorOf(parseServeArgs(['--config', missing], {}))).toContain(missing);
  });
});

describe('--audit-log', () => {
  it('takes a path (made absolute) or - for standard output', () => {
    expect(parseServeArgs(['--audit-log', 'audit.log'], {})).toMatchObject({
      config: { auditLog: path.resolve('audit.log') },
    });
    expect(parseServeArgs(['--audit-log', '-'], {})).toMatchObject({ config: { auditLog: '-' } });
    const none = parseServeArgs([], {});
    expect('config' in none && 'auditLog' in none.config).toBe(false);
  });
});
