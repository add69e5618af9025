/**
 * The reliability suite's summary: one row per check (trials, failures, a note such as a
 * measured bound). Each test file prints its table in afterAll and writes it to
 * test-results/reliability/<suite>.json; the Markdown table of every suite run so far is
 * rewritten to test-results/reliability-summary.md each time.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SummaryRow {
  check: string;
  trials: number;
  failures: number;
  note: string;
}

export interface Summary {
  /** Counts one trial of `check`; `ok` false counts a failure. Returns `ok`. */
  count(check: string, ok: boolean): boolean;
  /** Sets a note (e.g. "max 10.4 s") on the row of `check`. */
  note(check: string, note: string): void;
  rows(): SummaryRow[];
  /** Prints the table and writes the files; returns the table text. */
  finish(): string;
}

const RESULTS_DIR = path.resolve('test-results');

/** Formats rows as a Markdown table (the README keeps a copy of it). */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const lines = ['| Check | Trials | Failures | Note |', '| --- | ---: | ---: | --- |'];
  for (const row of rows) {
    lines.push(`| ${row.check} | ${row.trials} | ${row.failures} | ${row.note} |`);
  }
  return lines.join('\n');
}

/** Starts the summary of one suite (one test file). */
export function createSummary(suite: string): Summary {
  const rows = new Map<string, SummaryRow>();
  const row = (check: string): SummaryRow => {
    let found = rows.get(check);
    if (found === undefined) {
      found = { check, trials: 0, failures: 0, note: '' };
      rows.set(check, found);
    }
    return found;
  };
  return {
    count(check, ok) {
      const found = row(check);
      found.trials += 1;
      if (!ok) found.failures += 1;
      return ok;
    },
    note(check, note) {
      row(check).note = note;
    },
    rows: () => [...rows.values()],
    finish() {
      const list = [...rows.values()];
      const scale = process.env.KEYSMITH_SOAK_SCALE ?? '1';
      const table = formatSummaryTable(list);
      process.stdout.write(`\nReliability summary: ${suite} (scale ${scale})\n${table}\n`);
      const dir = path.join(RESULTS_DIR, 'reliability');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, `${suite}.json`),
        `${JSON.stringify({ suite, scale, at: new Date().toISOString(), rows: list }, null, 2)}\n`,
      );
      const all: SummaryRow[] = [];
      for (const name of fs.readdirSync(dir).sort()) {
        if (!name.endsWith('.json')) continue;
        const parsed = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as {
          suite: string;
          rows: SummaryRow[];
        };
        for (const r of parsed.rows) all.push({ ...r, check: `${parsed.suite}: ${r.check}` });
      }
      fs.writeFileSync(
        path.join(RESULTS_DIR, 'reliability-summary.md'),
        `# Reliability summary (KEYSMITH_SOAK_SCALE=${scale})\n\n${formatSummaryTable(all)}\n`,
      );
      return table;
    },
  };
}
