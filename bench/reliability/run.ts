/**
 * `npm run reliability`: the whole reliability suite (test/reliability) in its full size —
 * 30 s broker outage, 100 SIGKILLs, every invalid config value, the long fuzz run, a minute of
 * secrets collection, 120 commands through faults, storage faults, hostile API answers, TLS,
 * attacks on the standalone web UI (with its real 30 s request timeout) —
 * followed by a table of what was injected and what was survived, against the targets.
 *
 * It lives in bench/ because, like the benchmarks, it produces figures (and bench/ is
 * type-checked with the rest); the assertions themselves stay in the vitest files, so CI runs
 * exactly the same code in its short version.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface FigureLine {
  test: string;
  notes?: string[];
  [figure: string]: unknown;
}

/** [figure, label, how tests' values combine, target (the issue's: zero) when there is one]. */
const ROWS: Array<[key: string, label: string, combine: 'sum' | 'max', target?: number]> = [
  ['faults_injected', 'faults injected', 'sum'],
  ['faults_survived', 'faults survived', 'sum'],
  ['restarts', 'process restarts', 'sum'],
  ['lockouts', 'lockouts (kill between rotation and save)', 'sum'],
  ['commands_sent', 'commands sent', 'sum'],
  ['commands_executed', 'commands executed', 'sum'],
  ['commands_duplicated', 'commands duplicated', 'sum', 0],
  ['commands_lost', 'commands lost', 'sum', 0],
  ['fuzz_inputs', 'fuzz inputs tried', 'sum'],
  ['crashes', 'crashes', 'sum', 0],
  ['corrupt_files', 'corrupt files', 'sum', 0],
  ['secrets_checked', 'secret values searched for', 'sum'],
  ['secrets_leaked', 'secrets leaked', 'sum', 0],
  ['files_not_private', 'files not 0600 (data_dir not 0700)', 'sum', 0],
  ['web_attacks', 'web UI attacks tried (no login, rebinding, forged origin, ...)', 'sum'],
  ['web_attacks_accepted', 'web UI attacks accepted', 'sum', 0],
  ['peak_rss_bytes', 'peak memory (bridge RSS)', 'max'],
  ['heap_growth_bytes', 'heap growth after warm-up (fuzz, after GC)', 'max'],
];

function main(): number {
  const dir = mkdtempSync(join(tmpdir(), 'n2m-reliability-'));
  const figuresFile = join(dir, 'figures.jsonl');
  const started = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', 'test/reliability', '--testTimeout', '1200000'], {
    stdio: 'inherit',
    env: { ...process.env, N2M_RELIABILITY: 'full', N2M_RELIABILITY_FIGURES: figuresFile },
  });
  let lines: FigureLine[] = [];
  try {
    lines = readFileSync(figuresFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as FigureLine);
  } catch {
    // No test reported figures (all failed before measuring): the table says so.
  }
  rmSync(dir, { recursive: true, force: true });

  const out: string[] = [
    '',
    `Reliability suite (full run, ${Math.round((Date.now() - started) / 1000)} s)`,
    '',
  ];
  const width = Math.max(...ROWS.map(([, label]) => label.length));
  for (const [key, label, combine, target] of ROWS) {
    const values = lines.map((l) => l[key]).filter((v): v is number => typeof v === 'number');
    let cell = 'not measured';
    if (values.length > 0) {
      const total = combine === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
      cell = key.endsWith('_bytes') ? `${(total / 1024 / 1024).toFixed(1)} MiB` : String(total);
      if (target !== undefined)
        cell += total === target ? `   (target ${target}: met)` : `   (target ${target}: MISSED)`;
    }
    out.push(`  ${label.padEnd(width)}  ${cell}`);
  }
  out.push('', 'Per test:');
  for (const line of lines) {
    out.push(`  ${line.test}`);
    for (const note of line.notes ?? []) out.push(`    - ${note}`);
  }
  out.push(
    '',
    run.status === 0
      ? 'All reliability tests passed.'
      : `Some reliability tests FAILED (vitest exit ${run.status}).`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  return run.status ?? 1;
}

process.exitCode = main();
