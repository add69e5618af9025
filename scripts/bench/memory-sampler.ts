/**
 * The memory sampler of figure 6: the resident memory of server processes, sampled in a
 * worker thread. In the timing process's own event loop, the samples (and every 25th, a scan
 * of /proc for child processes) ran between the timed requests' callbacks and were counted in
 * their latency.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

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

/** The sampling itself; runs in the worker thread that sampleMemory starts. */
function peakSampler(pids: readonly number[]) {
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
  return { sample, result: () => ({ peakKb, samples }) };
}

interface SamplerData {
  memorySampler: { pids: number[]; intervalMs: number };
}

function isSamplerData(data: unknown): data is SamplerData {
  return typeof data === 'object' && data !== null && 'memorySampler' in data;
}

// The worker: sample until told to stop, then report.
if (!isMainThread && isSamplerData(workerData) && parentPort) {
  const port = parentPort;
  const { pids, intervalMs } = workerData.memorySampler;
  const sampler = peakSampler(pids);
  sampler.sample();
  const timer = setInterval(sampler.sample, intervalMs);
  port.on('message', () => {
    clearInterval(timer);
    sampler.sample();
    port.postMessage(sampler.result());
    port.close();
  });
  port.postMessage('started');
}

/**
 * Samples the resident memory of server processes (each with its descendants) every
 * `intervalMs` in a worker thread; resolves once the first sample is taken. `peakMb` is the
 * largest of the sampled VmRSS sums and of the kernel's own high-water mark VmHWM of each main
 * process.
 */
export async function sampleMemory(pids: readonly number[], intervalMs = 20) {
  const data: SamplerData = { memorySampler: { pids: [...pids], intervalMs } };
  // Node 20 does not apply `--import tsx` to a worker's own entry file, so the worker starts
  // as a line of JavaScript that registers tsx and then imports this file.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(entry, { eval: true, workerData: data });
  // Each message is awaited before the next can be sent ('started', then the result after
  // 'stop'); events.once rejects if the worker reports an error meanwhile.
  const next = async () => ((await once(worker, 'message')) as unknown[])[0];
  await next();
  return {
    /** Takes a last sample, stops, and reports the peak in MB (1 MB = 1024 kB). */
    async stop(): Promise<{ peakMb: number; samples: number }> {
      worker.postMessage('stop');
      const result = (await next()) as { peakKb: number; samples: number };
      await worker.terminate();
      return { peakMb: result.peakKb / 1024, samples: result.samples };
    },
  };
}
