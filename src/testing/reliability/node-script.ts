/**
 * How the suite starts Keysmith's own code in child processes: the compiled file under
 * dist/node when `npm test` (or `npm run soak`) has built it, so each child starts in a tenth of
 * the time; the TypeScript source under tsx otherwise (a lone `npx vitest run`).
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Written by every `tsc -p tsconfig.node.json` that found anything to do. */
const BUILD_INFO = path.join(ROOT, 'node_modules', '.cache', 'tsc', 'node.tsbuildinfo');

/** The newest modification time of the compiled sources (server, cli, api, crypto, openssh). */
function newestSource(): number {
  let newest = 0;
  for (const part of ['server', 'cli', 'api', 'crypto', 'openssh']) {
    const entries = fs.readdirSync(path.join(ROOT, 'src', part), { recursive: true });
    for (const name of entries) {
      if (typeof name !== 'string' || !name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      newest = Math.max(newest, fs.statSync(path.join(ROOT, 'src', part, name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * The node arguments that run `entry` (a path below src/ without extension, e.g. `cli/main`).
 * The compiled file is used only when it is newer than every source file it may import.
 */
export function nodeArgs(entry: string): string[] {
  const source = path.join(ROOT, 'src', `${entry}.ts`);
  const compiled = path.join(ROOT, 'dist', 'node', `${entry}.js`);
  try {
    // tsc leaves an output file alone when its text did not change, but rewrites its build info.
    const built = Math.max(
      fs.statSync(compiled).mtimeMs,
      fs.statSync(BUILD_INFO, { throwIfNoEntry: false })?.mtimeMs ?? 0,
    );
    if (built >= newestSource()) return [compiled];
  } catch {
    // Not built: run the source.
  }
  return ['--import', 'tsx', source];
}

/** The repository root: the working directory tsx needs to resolve its loader. */
export const REPO_ROOT = ROOT;
