import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from './serve-command.ts';
import { httpRequest } from '../testing/http.ts';

describe('parseServeArgs', () => {
  it('has safe defaults: local mode on 127.0.0.1, sshd default file', () => {
    const parsed = parseServeArgs([], {});
    expect('config' in parsed && parsed.config).toMatchObject({
      host: '127.0.0.1',
      port: 8022,
      auth: 'local',
      userHeader: 'X-Forwarded-User',
      trustedProxies: [],
      authorizedKeys: '%h/.ssh/authorized_keys',
      minUid: 1000,
    });
  });

  it('reads every flag, repeated --trusted-proxy and KEYSMITH_TOKEN', () => {
    const parsed = parseServeArgs(
      [
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--auth',
        'proxy',
        '--user-header',
        'X-Remote-User',
        '--trusted-proxy',
        '10.0.0.1',
        '--trusted-proxy',
        '::1',
        '--public-url',
        'https://Keys.Example.org:443/',
        '--authorized-keys',
        '/etc/ssh/keys/%u',
        '--min-uid',
        '2000',
        '--max-user-processes',
        '12',
        '--user-process-idle',
        '30',
        '--max-requests-per-user',
        '3',
        '--static',
        '/srv/web',
        '--seqera-api',
        'https://api.cloud.seqera.io/',
        '--seqera-api',
        'http://127.0.0.1:8000/api',
      ],
      { KEYSMITH_TOKEN: 'ignored-in-proxy-mode' },
    );
    expect('config' in parsed && parsed.config).toEqual({
      host: '0.0.0.0',
      port: 0,
      auth: 'proxy',
      userHeader: 'X-Remote-User',
      trustedProxies: ['10.0.0.1', '::1'],
      publicUrl: 'https://keys.example.org',
      authorizedKeys: '/etc/ssh/keys/%u',
      minUid: 2000,
      userProcesses: { maxProcesses: 12, idleMs: 30_000, maxQueue: 48, maxPerUser: 3 },
      staticDir: '/srv/web',
      connectSources: ['https://api.cloud.seqera.io', 'http://127.0.0.1:8000'],
    });
    const local = parseServeArgs([], { KEYSMITH_TOKEN: 'x3Fq_9vLk-2mTz8RwY0bNc' });
    expect('config' in local && local.config.token).toBe('x3Fq_9vLk-2mTz8RwY0bNc');
  });

  it('takes a KEYSMITH_TOKEN only with 128 bits or more, were its characters random', () => {
    for (const token of [
      // What keysmith serve makes itself (32 random bytes, base64url) and openssl rand -hex 32.
      'hN3k9Qx_7vB2mLz-Fw8RtY1cJd5sKp0aEg4uXo6iVnM',
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'x3Fq_9vLk-2mTz8RwY0bNc',
      '0f3a9c2e7b14d6850f3a9c2e7b14d685',
      '314159265358979323846264338327950288419',
    ]) {
      const parsed = parseServeArgs([], { KEYSMITH_TOKEN: token });
      expect('config' in parsed && parsed.config.token, token).toBe(token);
    }
    for (const token of [
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'abababababababababababababababababab',
      'abcdefghijklmnop-_',
      'x3Fq_9vLk-2mTz8RwY0bN',
      '0f3a9c2e7b14d6850f3a9c2e7b14d68',
      '31415926535897932384626433832795028841',
      'has spaces in it, long enough to pass',
      'x3Fq_9vLk-2mTz8RwY0bNc'.repeat(12),
    ]) {
      const parsed = parseServeArgs([], { KEYSMITH_TOKEN: token });
      expect('error' in parsed && parsed.error, token).toMatch(
        /^KEYSMITH_TOKEN must be a random secret of 128 bits or more: .*openssl rand -hex 32$/,
      );
    }
  });

  it('refuses bad values with a message naming the flag', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', 'abc'], {}, /--port/],
      [['--port', '70000'], {}, /--port/],
      [['--port', '-1'], {}, /port/],
      [['--auth', 'kerberos'], {}, /--auth/],
      [['--host', '0.0.0.0'], {}, /loopback/],
      [['--host', 'example.com'], {}, /--host/],
      [['--auth', 'proxy'], {}, /--trusted-proxy/],
      [['--auth', 'proxy', '--trusted-proxy', 'proxy.local'], {}, /--trusted-proxy/],
      [['--auth', 'proxy', '--trusted-proxy', '10.0.0.1'], {}, /Proxy mode needs --public-url/],
      [
        ['--public-url', 'https://keys.example.org'],
        {},
        /--public-url is for proxy and oidc modes/,
      ],
      [['--auth', 'proxy', '--public-url', 'keys.example.org'], {}, /--public-url must be a URL/],
      [['--auth', 'proxy', '--public-url', 'ftp://keys.example.org'], {}, /https:\/\//],
      [
        ['--auth', 'proxy', '--public-url', 'https://keys.example.org/keysmith'],
        {},
        /origin alone/,
      ],
      [['--auth', 'proxy', '--public-url', 'https://keys.example.org/?a=1'], {}, /origin alone/],
      [['--auth', 'proxy', '--public-url', 'https://keys.example.org#x'], {}, /origin alone/],
      [['--auth', 'proxy', '--public-url', 'https://u:p@keys.example.org'], {}, /origin alone/],
      [['--authorized-keys', '%h/.ssh/%x'], {}, /unknown token "%x"/],
      [['--authorized-keys', 'keys/%u'], {}, /absolute/],
      [['--user-header', 'X User'], {}, /--user-header/],
      [['--min-uid', '0'], {}, /--min-uid/],
      [['--seqera-api', 'api.cloud.seqera.io'], {}, /--seqera-api must be a URL/],
      [['--seqera-api', 'http://seqera.example.org'], {}, /--seqera-api must use https/],
      [['--seqera-api', "https://x.example.org'; script-src *"], {}, /--seqera-api/],
      [['--seqera-api', 'https://user:pw@seqera.example.org'], {}, /user name or password/],
      [['--frobnicate'], {}, /frobnicate/],
      [['extra'], {}, /extra/],
      [[], { KEYSMITH_TOKEN: 'short' }, /KEYSMITH_TOKEN/],
    ];
    for (const [argv, env, message] of cases) {
      const parsed = parseServeArgs(argv, env);
      expect('error' in parsed, argv.join(' ')).toBe(true);
      expect('error' in parsed && parsed.error, argv.join(' ')).toMatch(message);
    }
  });

  it('recognises --help', () => {
    expect(parseServeArgs(['--help'], {})).toEqual({ help: true });
  });
});

describe('keysmith serve as a process', () => {
  let home: string;

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-serve-'));
  });

  afterAll(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  function serve(args: string[], env: Record<string, string>) {
    return spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "import { runServe } from './src/cli/serve-command.ts'; process.exitCode = await runServe(process.argv.slice(1));",
        '--',
        ...args,
      ],
      {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
        killSignal: 'SIGKILL',
      },
    );
  }

  it('prints one parsable line with the URL, serves, and stops cleanly on SIGTERM', async () => {
    const child = serve(['--port', '0', '--static', home], {
      KEYSMITH_TOKEN: 'process-token-0123456789',
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 20_000;
    while (!out.includes('Open this URL in your browser') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const match =
      /^Keysmith is running for (\S+): (http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+))$/m.exec(out);
    expect(match, out).not.toBeNull();
    expect(match?.[1]).toBe(os.userInfo().username);
    expect(match?.[4]).toBe('process-token-0123456789');
    const response = await httpRequest({
      port: Number(match?.[3]),
      path: '/api/ssh-keys',
      headers: { Authorization: 'Bearer process-token-0123456789' },
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      keys: [],
      path: path.join(home, '.ssh', 'authorized_keys'),
    });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('exits 2 with a clear message for a bad flag', async () => {
    const child = serve(['--port', 'eighty'], {});
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port must be a number from 0 to 65535.');
    expect(err).toContain('keysmith serve --help');
  });
});
