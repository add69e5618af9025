/**
 * The real server for the benchmarks, started exactly as the e2e tests start it
 * (e2e/fixtures/keysmith-server.ts).
 */
import { spawnKeysmith } from '../../e2e/fixtures/keysmith-server.ts';

export type { KeysmithProcess } from '../../e2e/fixtures/keysmith-server.ts';

/** Starts one server as `user` on a free loopback port; resolves once it printed its URL. */
export const startKeysmithProcess = spawnKeysmith;
