/**
 * Home Assistant's template rendering for tests: real Jinja2 (Debian's python3-jinja2) in one
 * long-running Python process (ha_template.py), so a template is judged by the engine Home
 * Assistant runs, not by a model of it. Where Python or Jinja2 is missing, `startJinja2()` says
 * why and the tests that need it are skipped (CI installs python3-jinja2).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./ha_template.py', import.meta.url));

export type Rendered = { ok: true; result: string; warnings: string[] } | { ok: false; error: string };

export interface Jinja2 {
  /** Renders `template` with `variables` as Home Assistant does (the result stripped). */
  render(template: string, variables: Record<string, unknown>): Promise<Rendered>;
  close(): void;
}

/** Why real Jinja2 cannot run here, or undefined when it can. */
export function jinja2Missing(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import jinja2, sys; sys.stdout.write(jinja2.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.error) return `python3 is not installed (${probe.error.message}); install python3-jinja2`;
  if (probe.status !== 0) return 'python3 has no jinja2 module; install python3-jinja2 (apt)';
  return undefined;
}

export function startJinja2(): Jinja2 {
  const child: ChildProcessWithoutNullStreams = spawn('python3', [SCRIPT], { stdio: 'pipe' });
  const waiting: Array<(line: string) => void> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(line));
  child.on('exit', (code) => {
    for (const resolve of waiting.splice(0))
      resolve(JSON.stringify({ error: `Jinja2 renderer exited (${code}): ${stderr.trim()}` }));
  });
  return {
    render: (template, variables) =>
      new Promise<Rendered>((resolve) => {
        waiting.push((line) => {
          const answer = JSON.parse(line) as { result?: string; warnings?: string[]; error?: string };
          resolve(
            answer.error === undefined
              ? { ok: true, result: answer.result ?? '', warnings: answer.warnings ?? [] }
              : { ok: false, error: answer.error },
          );
        });
        child.stdin.write(`${JSON.stringify({ template, variables })}\n`);
      }),
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}
