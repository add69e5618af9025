/**
 * deploy/keysmith.service: systemd accepts it, its exposure figure is the README's, and its
 * ExecStart runs the built app from a copy of dist/ alone (no node_modules, no build) in proxy
 * mode as root within the unit's capability bound and no_new_privs, privilege drop included.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths } from '../api/ssh-keys.ts';
import { httpRequest } from '../testing/http.ts';
import { makeTestKey } from '../testing/ssh-keygen.ts';
import { ensureTestUser, makeTestDir, resetSshDir, type TestUser } from '../testing/sshd.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const unitFile = path.join(root, 'deploy/keysmith.service');
const unit = fs.readFileSync(unitFile, 'utf8');

describe('deploy/keysmith.service', () => {
  it('passes systemd-analyze verify without a word', () => {
    // verify reads the unit's own directory for drop-ins: run it from a neutral one.
    const result = spawnSync('systemd-analyze', ['verify', unitFile], {
      cwd: '/',
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('has the exposure figure the README gives (systemd-analyze security)', () => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', unitFile], {
      cwd: '/',
      encoding: 'utf8',
      timeout: 30_000,
    });
    const figure = /Overall exposure level for keysmith\.service: (\d+\.\d)/.exec(result.stdout);
    expect(figure?.[1], result.stdout + result.stderr).toBe('2.4');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`exposure level ${figure?.[1] ?? ''}`);
  });

  it('keeps only the capabilities the privilege drop needs', () => {
    expect(unit).toMatch(/^CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_KILL$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
  });
});

describe('its ExecStart, from a copy of dist/ alone', () => {
  let dir: string;
  let user: TestUser;
  let child: ChildProcess;
  let port: number;

  beforeAll(async () => {
    const main = path.join(root, 'dist/node/cli/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first.`);
    user = ensureTestUser('keysmith-svc');
    resetSshDir(user);
    dir = makeTestDir('service');
    fs.chmodSync(dir, 0o755);
    const opt = path.join(dir, 'opt/keysmith');
    fs.mkdirSync(opt, { recursive: true });
    fs.cpSync(path.join(root, 'dist'), path.join(opt, 'dist'), { recursive: true });
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        auth: 'proxy',
        host: '127.0.0.1',
        port: 0,
        'trusted-proxy': ['127.0.0.1'],
        'public-url': 'https://keys.example.org',
        'audit-log': '-',
      }),
    );
    const execStart = /^ExecStart=(\S+) (\S+) (.+)$/m.exec(unit);
    if (execStart === null) throw new Error('no ExecStart in deploy/keysmith.service');
    const [, , script = '', rest = ''] = execStart;
    expect(script).toBe('/opt/keysmith/dist/node/cli/main.js');
    const args = rest.split(' ').map((arg) => (arg === '/etc/keysmith/config.json' ? config : arg));
    // The unit's capability bound and no_new_privs, as systemd applies them (setpriv(1)).
    const bound = /^CapabilityBoundingSet=(.+)$/m.exec(unit)?.[1]?.split(' ') ?? [];
    expect(bound.length).toBeGreaterThan(0);
    const caps = bound.map((cap) => `+${cap.replace(/^CAP_/, '').toLowerCase()}`);
    const setpriv = ['--no-new-privs', '--bounding-set', ['-all', ...caps].join(','), '--'];
    child = spawn('setpriv', [...setpriv, process.execPath, path.join(dir, script), ...args], {
      cwd: opt,
      env: { PATH: '/usr/bin:/bin', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start within 15 s:\n${output}`)), 15_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /proxy mode on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match !== null) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code}:\n${output}`));
      });
    });
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      await exited;
    }
    resetSshDir(user);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz and serves a user through the privilege-dropped child', async () => {
    const health = await httpRequest({ port, path: '/healthz' });
    expect(health.status).toBe(200);
    const key = makeTestKey(dir, 'svc');
    const added = await httpRequest({
      port,
      method: 'POST',
      path: apiPaths.sshKeys,
      headers: { 'X-Forwarded-User': user.name, 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: key.publicLine }),
    });
    expect(added.status, added.body).toBe(201);
    const file = path.join(user.home, '.ssh', 'authorized_keys');
    expect(fs.statSync(file).uid).toBe(user.uid);
    expect(execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' })).toContain(
      key.fingerprint,
    );
  });
});
