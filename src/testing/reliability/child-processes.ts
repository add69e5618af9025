/**
 * Child processes of the reliability suite: Keysmith servers (`keysmith serve`) and CLI-like
 * writers (writer-child.ts), optionally as another user, with everything they print kept for
 * the secret scan and every one of them killed in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nodeArgs, REPO_ROOT } from './node-script.ts';

export interface RunAs {
  uid: number;
  gid: number;
  home: string;
}

/** True when every directory above `file` lets other users through and the file runs for them. */
function othersCanRun(file: string): boolean {
  if ((fs.statSync(file).mode & 0o001) === 0) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/**
 * The node binary for a child: this one, unless the child runs as another user who cannot
 * reach it (npx's Node 24 lives in root's 0700 home); then the system's node on PATH.
 */
function nodeFor(runAs: RunAs | undefined): string {
  return runAs === undefined || othersCanRun(process.execPath) ? process.execPath : 'node';
}

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  output(): string;
}

export interface WriterResult {
  code: number | null;
  output: string;
  acked: number[];
  failed: string[];
}

const running = new Set<ChildProcess>();

/** Kills every child still running (afterAll, also after a failure). */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.on('close', () => running.delete(child));
  return child;
}

function envFor(runAs: RunAs | undefined, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: runAs?.home ?? process.env.HOME ?? '/root',
    NO_COLOR: '1',
    ...extra,
  };
}

/** Starts `keysmith serve --port 0` in local mode and waits for its sign-in line (20 s). */
export function startServerProcess(options: {
  token: string;
  runAs?: RunAs;
  args?: readonly string[];
}): Promise<ServerProcess> {
  const child = track(
    spawn(
      nodeFor(options.runAs),
      [...nodeArgs('cli/main'), 'serve', '--port', '0', ...(options.args ?? [])],
      {
        cwd: REPO_ROOT,
        env: envFor(options.runAs, { KEYSMITH_TOKEN: options.token }),
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.runAs === undefined ? {} : { uid: options.runAs.uid, gid: options.runAs.gid }),
      },
    ),
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keysmith serve did not start:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Keysmith is running for \S+: http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), child, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`keysmith serve exited (${code}):\n${output}`));
    });
  });
}

/** Runs writer-child.ts with one job to its end (60 s limit). */
export function runWriter(job: object, runAs?: RunAs): Promise<WriterResult> {
  const child = track(
    spawn(nodeFor(runAs), [...nodeArgs('testing/reliability/writer-child'), JSON.stringify(job)], {
      cwd: REPO_ROOT,
      env: envFor(runAs, {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      killSignal: 'SIGKILL',
      ...(runAs === undefined ? {} : { uid: runAs.uid, gid: runAs.gid }),
    }),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        code,
        output,
        acked: (output.match(/^ack \d+$/gm) ?? []).map((line) => Number(line.slice(4))),
        failed: output.match(/^fail .*$/gm) ?? [],
      });
    });
  });
}
