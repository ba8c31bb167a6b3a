/**
 * The import graph of a source tree, read with the TypeScript scanner (`ts.preProcessFile`):
 * static, type-only, re-export and dynamic `import()` specifiers all count, comments and
 * strings do not. Only relative specifiers are followed; packages are not ours to order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the root (`cli/demo.ts`). */
  from: string;
  /** Imported file, relative to the root, `.js` specifiers mapped back to `.ts`. */
  to: string;
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

export function importEdges(root: string): ImportEdge[] {
  const rel = (path: string): string => relative(root, path).split(sep).join('/');
  return sourceFiles(root).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.filter((imported) => imported.fileName.startsWith('.'))
      .map((imported) => ({
        from: rel(file),
        to: rel(join(dirname(file), imported.fileName)).replace(/\.js$/, '.ts'),
      })),
  );
}

/**
 * The unit a file belongs to: its top folder (`netatmo/gate/priority-queues.ts` → `netatmo`),
 * or, for a file at the root, the file itself (`log.ts`): root files are small shared modules
 * with one job each (log, events, errors, version) plus the entry point, not one layer.
 */
export function unitOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash);
}

/** Unit-level edges (`from → to`), each with one file-level import that makes it, for messages. */
export function unitEdges(edges: readonly ImportEdge[]): Map<string, ImportEdge> {
  const units = new Map<string, ImportEdge>();
  for (const edge of edges) {
    const key = `${unitOf(edge.from)} → ${unitOf(edge.to)}`;
    if (unitOf(edge.from) !== unitOf(edge.to) && !units.has(key)) units.set(key, edge);
  }
  return units;
}

/**
 * The cycles a depth-first walk meets (one per back edge, as `a → b → … → a`): empty exactly
 * when the graph has no cycle. Listing every elementary cycle would bury the one to break.
 */
export function unitCycles(edges: Iterable<string>): string[] {
  const next = new Map<string, string[]>();
  for (const key of edges) {
    const [from = '', to = ''] = key.split(' → ');
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const cycles: string[] = [];
  const done = new Set<string>();
  const visit = (unit: string, path: string[]): void => {
    const at = path.indexOf(unit);
    if (at !== -1) {
      cycles.push([...path.slice(at), unit].join(' → '));
      return;
    }
    if (done.has(unit)) return;
    for (const to of next.get(unit) ?? []) visit(to, [...path, unit]);
    done.add(unit);
  };
  for (const unit of [...next.keys()].sort()) visit(unit, []);
  return cycles;
}
