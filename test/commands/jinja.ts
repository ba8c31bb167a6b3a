/**
 * A tiny Jinja renderer for the Home Assistant templates netatmo2mqtt publishes in its discovery
 * configs. It supports exactly what those templates use, with Jinja's (Python's) semantics:
 * `{{ expr }}`, `{% if %}…{% elif %}…{% else %}…{% endif %}`, literals (numbers, strings,
 * None/True/False, dicts, lists), names, `a.b`, `a[b]`, `dict.get(k, default)`, `x if c else y`,
 * `and`/`or`/`not`, comparisons and `is none` / `is defined`. Anything else (filters, loops,
 * other methods) throws, so a template that grows beyond this is noticed, not misrendered.
 */

/** Jinja's undefined: renders as '' and is falsy, like HA's default (non-strict) environment. */
export const UNDEFINED: unique symbol = Symbol('undefined');
export type JinjaValue =
  | string
  | number
  | boolean
  | null
  | typeof UNDEFINED
  | JinjaValue[]
  | { [key: string]: JinjaValue };

type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'name'; v: string }
  | { t: 'op'; v: string };

const OPERATORS = ['==', '!=', '>=', '<=', '>', '<', '(', ')', '[', ']', '{', '}', ',', ':', '.', '|'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = source.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string in ${source}`);
      tokens.push({ t: 'str', v: source.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ t: 'num', v: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw new Error(`unsupported character '${c}' in ${source}`);
    tokens.push({ t: 'op', v: op });
    i += op.length;
  }
  return tokens;
}

class Parser {
  #pos = 0;
  constructor(
    readonly tokens: Token[],
    readonly vars: Record<string, JinjaValue>,
    readonly source: string,
  ) {}

  done(): boolean {
    return this.#pos >= this.tokens.length;
  }

  #peek(): Token | undefined {
    return this.tokens[this.#pos];
  }

  #isOp(v: string): boolean {
    const t = this.#peek();
    return t?.t === 'op' && t.v === v;
  }

  #isName(v: string): boolean {
    const t = this.#peek();
    return t?.t === 'name' && t.v === v;
  }

  #expect(v: string): void {
    if (!this.#isOp(v) && !this.#isName(v)) throw new Error(`expected '${v}' in ${this.source}`);
    this.#pos += 1;
  }

  expression(): JinjaValue {
    const value = this.#or();
    if (!this.#isName('if')) return value;
    this.#pos += 1;
    const condition = this.#or();
    let otherwise: JinjaValue = UNDEFINED;
    if (this.#isName('else')) {
      this.#pos += 1;
      otherwise = this.expression();
    }
    return truthy(condition) ? value : otherwise;
  }

  #or(): JinjaValue {
    let left = this.#and();
    while (this.#isName('or')) {
      this.#pos += 1;
      const right = this.#and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  #and(): JinjaValue {
    let left = this.#not();
    while (this.#isName('and')) {
      this.#pos += 1;
      const right = this.#not();
      left = truthy(left) ? right : left;
    }
    return left;
  }

  #not(): JinjaValue {
    if (this.#isName('not')) {
      this.#pos += 1;
      return !truthy(this.#not());
    }
    return this.#comparison();
  }

  #comparison(): JinjaValue {
    const left = this.#postfix();
    const t = this.#peek();
    if (t?.t === 'op' && ['==', '!=', '>', '<', '>=', '<='].includes(t.v)) {
      this.#pos += 1;
      return compare(t.v, left, this.#postfix());
    }
    if (this.#isName('is')) {
      this.#pos += 1;
      let negate = false;
      if (this.#isName('not')) {
        this.#pos += 1;
        negate = true;
      }
      const test = this.#peek();
      this.#pos += 1;
      let result: boolean;
      if (test?.t === 'name' && test.v === 'none') result = left === null;
      else if (test?.t === 'name' && test.v === 'defined') result = left !== UNDEFINED;
      else throw new Error(`unsupported test 'is ${JSON.stringify(test)}' in ${this.source}`);
      return negate ? !result : result;
    }
    if (this.#isOp('|')) throw new Error(`filters are not supported: ${this.source}`);
    return left;
  }

  #postfix(): JinjaValue {
    let value = this.#primary();
    for (;;) {
      if (this.#isOp('.')) {
        this.#pos += 1;
        const name = this.#peek();
        if (name?.t !== 'name') throw new Error(`expected a name after '.' in ${this.source}`);
        this.#pos += 1;
        if (this.#isOp('(')) {
          value = this.#call(value, name.v);
          continue;
        }
        value = member(value, name.v);
      } else if (this.#isOp('[')) {
        this.#pos += 1;
        const key = this.expression();
        this.#expect(']');
        value = member(value, key);
      } else {
        return value;
      }
    }
  }

  #call(target: JinjaValue, method: string): JinjaValue {
    this.#expect('(');
    const args: JinjaValue[] = [];
    while (!this.#isOp(')')) {
      args.push(this.expression());
      if (!this.#isOp(')')) this.#expect(',');
    }
    this.#expect(')');
    if (method !== 'get' || !isDict(target))
      throw new Error(`unsupported call .${method}() in ${this.source}`);
    const found = member(target, args[0] ?? UNDEFINED);
    return found === UNDEFINED ? (args[1] ?? null) : found;
  }

  #primary(): JinjaValue {
    const t = this.#peek();
    if (!t) throw new Error(`unexpected end of ${this.source}`);
    this.#pos += 1;
    if (t.t === 'num' || t.t === 'str') return t.v;
    if (t.t === 'name') {
      if (t.v === 'None' || t.v === 'none') return null;
      if (t.v === 'True' || t.v === 'true') return true;
      if (t.v === 'False' || t.v === 'false') return false;
      return Object.hasOwn(this.vars, t.v) ? (this.vars[t.v] as JinjaValue) : UNDEFINED;
    }
    if (t.v === '(') {
      const value = this.expression();
      this.#expect(')');
      return value;
    }
    if (t.v === '[') {
      const list: JinjaValue[] = [];
      while (!this.#isOp(']')) {
        list.push(this.expression());
        if (!this.#isOp(']')) this.#expect(',');
      }
      this.#expect(']');
      return list;
    }
    if (t.v === '{') {
      const dict: Record<string, JinjaValue> = {};
      while (!this.#isOp('}')) {
        const key = this.expression();
        this.#expect(':');
        dict[String(key)] = this.expression();
        if (!this.#isOp('}')) this.#expect(',');
      }
      this.#expect('}');
      return dict;
    }
    throw new Error(`unexpected '${t.v}' in ${this.source}`);
  }
}

function isDict(value: JinjaValue): value is { [key: string]: JinjaValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function member(target: JinjaValue, key: JinjaValue): JinjaValue {
  if (Array.isArray(target) && typeof key === 'number') return target[key] ?? UNDEFINED;
  if (isDict(target) && (typeof key === 'string' || typeof key === 'number')) {
    return Object.hasOwn(target, String(key)) ? (target[String(key)] as JinjaValue) : UNDEFINED;
  }
  return UNDEFINED;
}

function truthy(value: JinjaValue): boolean {
  if (value === UNDEFINED || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isDict(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function compare(op: string, a: JinjaValue, b: JinjaValue): boolean {
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new Error(`cannot compare ${String(a)} ${op} ${String(b)}`);
  }
  if (op === '>') return a > b;
  if (op === '<') return a < b;
  if (op === '>=') return a >= b;
  return a <= b;
}

/** Python's str() of a value, as Jinja prints it. */
export function pythonString(value: JinjaValue): string {
  if (value === UNDEFINED) return '';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new Error(`cannot print ${JSON.stringify(value)}`);
}

/** Renders `template` with `vars`, as Home Assistant's Jinja environment would. */
export function renderTemplate(template: string, vars: Record<string, JinjaValue>): string {
  const parts = template.split(/(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})/);
  // A stack of if-blocks: `active` = this branch renders; `taken` = some branch already did.
  const blocks: Array<{ active: boolean; taken: boolean; parentActive: boolean }> = [];
  const active = (): boolean => blocks.every((b) => b.active);
  let out = '';
  for (const part of parts) {
    if (part.startsWith('{{')) {
      if (!active()) continue;
      const parser = new Parser(tokenize(part.slice(2, -2)), vars, template);
      const value = parser.expression();
      if (!parser.done()) throw new Error(`unsupported expression ${part}`);
      out += pythonString(value);
    } else if (part.startsWith('{%')) {
      const tokens = tokenize(part.slice(2, -2));
      const head = tokens[0];
      if (head?.t !== 'name') throw new Error(`unsupported statement ${part}`);
      const condition = (): boolean => {
        const parser = new Parser(tokens.slice(1), vars, template);
        const value = parser.expression();
        if (!parser.done()) throw new Error(`unsupported condition ${part}`);
        return truthy(value);
      };
      if (head.v === 'if') {
        const parentActive = active();
        const taken = parentActive && condition();
        blocks.push({ active: taken, taken, parentActive });
      } else if (head.v === 'elif' || head.v === 'else') {
        const block = blocks.at(-1);
        if (!block) throw new Error(`${head.v} without if in ${template}`);
        const take = block.parentActive && !block.taken && (head.v === 'else' || condition());
        block.active = take;
        block.taken ||= take;
      } else if (head.v === 'endif') {
        if (!blocks.pop()) throw new Error(`endif without if in ${template}`);
      } else {
        throw new Error(`unsupported statement ${part}`);
      }
    } else if (active()) {
      out += part;
    }
  }
  if (blocks.length > 0) throw new Error(`unclosed if in ${template}`);
  return out;
}
