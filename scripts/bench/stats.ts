/**
 * Summaries and the printed report of `npm run bench`: every figure shows our number, the
 * reference measured in the same run, the ratio, the target and how it was measured.
 */

export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
  p90: number;
  p99: number;
}

/** Nearest-rank percentile (p in 0…100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('"samples" must not be empty');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Median (mean of the middle two for an even count), extremes and tail of the samples. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('"samples" must not be empty');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] ?? Number.NaN)
      : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
  return {
    runs: sorted.length,
    median,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
}

/** `median 12.3 ms (n=9, min 11.0, max 15.2)`: what a reader needs to repeat the figure. */
export function describeSummary(summary: Summary, unit: string, digits = 1): string {
  const f = (value: number) => value.toFixed(digits);
  return `median ${f(summary.median)} ${unit} (n=${summary.runs}, min ${f(summary.min)}, max ${f(summary.max)}, p90 ${f(summary.p90)})`;
}

export type Verdict = 'PASS' | 'FAIL' | 'INFO';

export interface Figure {
  /** e.g. "1. Passphrase key, end to end (Chromium)". */
  title: string;
  ours: string;
  reference: string;
  /** ours / reference (medians), when a ratio means something. */
  ratio: number | null;
  /**
   * The same ratio of the fastest runs: on a shared machine the minima show what the code does
   * when it gets the cores it asks for (the target is on the medians).
   */
  ratioOfMinima?: number;
  target: string;
  verdict: Verdict;
  /** How it was measured: runs, statistic, spread, conditions. */
  method: string;
}

/** PASS when `value <= limit`, else FAIL. */
export function atMost(value: number, limit: number): Verdict {
  return Number.isFinite(value) && value <= limit ? 'PASS' : 'FAIL';
}

/** The system load, to print beside the figures: the machine is shared. */
export function loadAverage(loadavg: readonly number[]): string {
  return loadavg.map((value) => value.toFixed(2)).join(' ');
}

/** The report, one block per figure. */
export function formatFigure(figure: Figure): string {
  const lines = [
    `${figure.verdict.padEnd(4)}  ${figure.title}`,
    `      ours:      ${figure.ours}`,
    `      reference: ${figure.reference}`,
  ];
  if (figure.ratio !== null) {
    const minima =
      figure.ratioOfMinima === undefined
        ? ''
        : ` (fastest runs: ${figure.ratioOfMinima.toFixed(2)})`;
    lines.push(`      ratio:     ${figure.ratio.toFixed(2)}${minima}`);
  }
  lines.push(`      target:    ${figure.target}`, `      measured:  ${figure.method}`);
  return lines.join('\n');
}
