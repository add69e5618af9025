import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import viteConfig from '../../vite.config.ts';

// Stryker runs the node project of vite.config.ts, without the reliability suite (root, sshd,
// minutes a run): each surviving mutant reruns every test that covers it.
const nodeProject = viteConfig.test?.projects?.find(
  (project) => typeof project === 'object' && 'test' in project && project.test?.name === 'node',
);
if (typeof nodeProject !== 'object' || !('test' in nodeProject)) {
  throw new Error('vite.config.ts has no "node" test project: name the one Stryker should run');
}

// Local-time code (expiry-time without Z) is only told apart from UTC in a zone with DST; worker threads keep this zone.
process.env.TZ = 'America/New_York';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...nodeProject.test,
    exclude: [...configDefaults.exclude, 'src/testing/reliability/**'],
  },
});
