/**
 * A small Dockerfile reader for tests: instructions with continuation lines joined and comments
 * dropped, grouped into build stages. Enough to check what the image is made of without Docker.
 */

export interface Instruction {
  keyword: string;
  args: string;
  /** The comment lines directly above it (the why). */
  comment: string;
}

export interface Stage {
  /** `FROM <image> [AS <name>]`. */
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
  all: Instruction[];
}

export function parseDockerfile(text: string): Dockerfile {
  const all: Instruction[] = [];
  let comment: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && line.startsWith('#')) {
      comment.push(line.replace(/^#\s?/, ''));
      continue;
    }
    if (line === '') {
      if (pending === '') comment = [];
      continue;
    }
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) continue;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    all.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), comment: comment.join('\n') });
    pending = '';
    comment = [];
  }
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      globalArgs.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages, all };
}

/** `KEY="value" KEY2=value` pairs of a LABEL or ENV instruction. */
export function keyValues(args: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const value = match[2]!;
    pairs[match[1]!] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  return pairs;
}

/** The JSON exec form of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const start = args.indexOf('[');
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(args.slice(start));
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}
