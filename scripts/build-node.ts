/**
 * Builds dist/node (the server and the `keysmith` command) with Vite's SSR build (rolldown):
 * `npm run build:node` runs it after `tsc -p tsconfig.node.json` has type-checked the sources.
 *
 * Why not tsc's own output: run unbundled, Node loads every module a package's entry re-exports
 * (`zod/mini` brings its JSON-schema code and every locale); bundled and tree-shaken here, the
 * server loads only the code it calls.
 *
 * Every file of ours keeps its path under dist/node (`preserveModules`), because code finds its
 * neighbours by `import.meta.url`: cli/serve-command.js finds dist/web at ../../web, kdf-runner.js
 * starts ./kdf-worker.js, user-process-spawn.js runs ./user-process-helper.pl, and the tests'
 * node-script.ts runs dist/node/<entry>.js. Lazily imported modules (main.ts imports each
 * command only when it runs) stay separate files, so `serve` still loads none of keygen's code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every module that Node runs directly, not only by import: the bin, and each file started as a
 * worker or child process (grep for spawn, fork, Worker and nodeArgs when adding one).
 */
const ENTRIES = [
  'cli/main', // the `keysmith` bin; `serve` and the tests' children (node-script.ts)
  'cli/kdf-worker', // worker thread of kdf-runner.ts
];

/** Perl scripts the server runs (Debian's perl-base is Essential), copied beside their module. */
const SCRIPTS = [
  'server/node/user-process/user-process-helper.pl', // the per-user helper of user-process-spawn.ts
  'server/node/passwd-lookup.pl', // the passwd resolver of system-users.ts
];

await build({
  root: ROOT,
  configFile: false, // vite.config.ts is the browser app's (React plugin, dist/web)
  envDir: false,
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist/node',
    emptyOutDir: true, // no stale modules from an older layout (or from tsc) are left to load
    minify: false, // stack traces from a server should read like the source
    sourcemap: true,
    copyPublicDir: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: Object.fromEntries(
        ENTRIES.map((entry) => [entry, path.join(ROOT, 'src', `${entry}.ts`)]),
      ),
      output: {
        format: 'es',
        preserveModules: true,
        preserveModulesRoot: path.join(ROOT, 'src'),
        // A dependency's modules go under dist/node/vendor/<package>/…: a folder named
        // node_modules inside dist would be skipped by tools that skip every node_modules.
        entryFileNames: (chunk) => `${chunk.name.replace(/(^|\/)node_modules\//g, '$1vendor/')}.js`,
      },
    },
  },
  ssr: {
    target: 'node',
    // Bundle every dependency, so that it is tree-shaken with our code; node: builtins stay
    // external (Vite never bundles them for an SSR build).
    noExternal: true,
  },
});

for (const script of SCRIPTS) {
  fs.copyFileSync(path.join(ROOT, 'src', script), path.join(ROOT, 'dist/node', script));
}
