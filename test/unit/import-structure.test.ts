/**
 * The layering rules of src/: no import cycle between folders (type-only imports count: a
 * type cycle is a design cycle), and the simulator stays out of the bridge.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importEdges, unitCycles, unitEdges } from '../support/import-graph.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/**
 * Folder edges that close a known cycle, to be removed by the change that breaks it (none now);
 * the last test fails while an entry is stale.
 */
const KNOWN_CYCLE_EDGES: readonly string[] = [];

/** The CLI modules that start the simulator: `demo` and the `simulator` subcommand. */
const SIMULATOR_STARTERS = ['cli/demo.ts', 'cli/commands.ts'];

describe('src/ import structure', () => {
  const edges = importEdges(SRC);
  const units = unitEdges(edges);

  it('has no import cycle between folders (root files count one each)', () => {
    const cycles = unitCycles([...units.keys()].filter((edge) => !KNOWN_CYCLE_EDGES.includes(edge)));
    const explained = cycles.map((cycle) => {
      const steps = cycle.split(' → ');
      const why = steps.slice(1).map((to, i) => {
        const edge = units.get(`${steps[i]} → ${to}`)!;
        return `    ${edge.from} imports ${edge.to}`;
      });
      return [cycle, ...why].join('\n');
    });
    expect(explained, 'folder import cycles').toEqual([]);
  });

  it('lets only the CLI that starts the simulator import it', () => {
    const intruders = edges
      .filter((e) => e.to.startsWith('simulator/') && !e.from.startsWith('simulator/'))
      .filter((e) => !SIMULATOR_STARTERS.includes(e.from))
      .map((e) => `${e.from} imports ${e.to}`);
    expect(intruders).toEqual([]);
    // The starters really do import it: the scan sees the simulator subcommand's dynamic import.
    expect(edges).toContainEqual({ from: 'cli/commands.ts', to: 'simulator/cli.ts' });
  });

  it('keeps main.ts, the bin entry, out of every import', () => {
    expect(edges.filter((e) => e.to === 'main.ts').map((e) => e.from)).toEqual([]);
  });

  it('lists only known cycle edges that still exist', () => {
    expect(KNOWN_CYCLE_EDGES.filter((edge) => !units.has(edge))).toEqual([]);
  });
});

describe('the import scan', () => {
  const root = mkdtempSync(join(tmpdir(), 'import-graph-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };

  it('sees a cycle made of a type-only import and a dynamic import', () => {
    write('a/x.ts', "import type { Y } from '../b/y.js';\nexport type X = Y;\n");
    write('b/y.ts', "export type Y = number;\nexport const load = () => import('../a/x.js');\n");
    write('b/z.ts', "// import { X } from '../c/w.js' is a comment, not an import\nexport {};\n");
    write('log.ts', "export * from './a/x.js';\n");
    const units = unitEdges(importEdges(root));
    expect([...units.keys()].sort()).toEqual(['a → b', 'b → a', 'log.ts → a']);
    expect(unitCycles(units.keys())).toEqual(['a → b → a']);
  });
});
