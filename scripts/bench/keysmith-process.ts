/**
 * The real server for the benchmarks, started exactly as the e2e tests start it
 * (e2e/fixtures/keysmith-server.ts), and the memory sampler for figure 6.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnKeysmith } from '../../e2e/fixtures/keysmith-server.ts';

export type { KeysmithProcess } from '../../e2e/fixtures/keysmith-server.ts';

/** Starts one server as `user` on a free loopback port; resolves once it printed its URL. */
export const startKeysmithProcess = spawnKeysmith;

/** kB from a `/proc/PID/status` field such as `VmRSS:	  51234 kB`; 0 when gone. */
function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** A process's resident memory now (VmRSS) in MB; 0 when it is gone. */
export function residentMb(pid: number): number {
  return statusField(pid, 'VmRSS') / 1024;
}

/** The pid and every descendant (a server may run helper processes). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const children = parents.get(ppid) ?? [];
      children.push(Number(entry));
      parents.set(ppid, children);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0 && tree.length < 1000) {
    const pid = queue.shift();
    if (pid === undefined) break;
    tree.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  return tree;
}

/**
 * Samples the resident memory of server processes (each with its descendants) every
 * `intervalMs`; `peakMb` is the largest of the sampled VmRSS sums and of the kernel's own
 * high-water mark VmHWM of each main process.
 */
export function sampleMemory(pids: readonly number[], intervalMs = 20) {
  let peakKb = 0;
  let samples = 0;
  let trees: number[][] = [];
  const sample = () => {
    // Scanning /proc for children costs more than reading a status file: do it every 25th time.
    if (samples % 25 === 0) trees = pids.map(processTree);
    samples += 1;
    for (const [index, pid] of pids.entries()) {
      const tree = trees[index] ?? [pid];
      const rss = tree.reduce((sum, member) => sum + statusField(member, 'VmRSS'), 0);
      peakKb = Math.max(peakKb, rss, statusField(pid, 'VmHWM'));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    /** Takes a last sample, stops, and reports the peak in MB (1 MB = 1024 kB). */
    stop(): { peakMb: number; samples: number } {
      sample();
      clearInterval(timer);
      return { peakMb: peakKb / 1024, samples };
    },
  };
}
