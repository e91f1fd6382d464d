/**
 * The debugger's small expression language, used by conditional breakpoints
 * (`divergence > 0.2 && sparsity < 0.3`) and the debug console
 * (`layer("conv2").output.max`). A tokenizer plus a recursive-descent parser
 * that builds an AST, and an evaluator over a plain environment object; user
 * text is never handed to `eval` or `Function`.
 *
 * Grammar (lowest precedence first):
 *   or      := and ('||' and)*
 *   and     := cmp ('&&' cmp)*
 *   cmp     := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?
 *   sum     := product (('+'|'-') product)*
 *   product := unary (('*'|'/'|'%') unary)*
 *   unary   := ('!'|'-') unary | postfix
 *   postfix := primary ('.' IDENT | '(' args ')')*
 *   primary := NUMBER | STRING | IDENT | 'true' | 'false' | '(' or ')'
 *
 * Conditions come from launch.json files and the debug console, so nesting is
 * bounded (MAX_EXPRESSION_DEPTH): the parser and evaluator recurse, and 10k
 * parentheses must give an ExpressionError, not a stack overflow.
 */
import { TritscopeError } from '../core/errors';

export class ExpressionError extends TritscopeError {
  constructor(
    readonly expression: string,
    readonly detail: string,
    readonly column?: number,
  ) {
    super(`expression '${expression}'${column !== undefined ? ` (column ${column + 1})` : ''}: ${detail}`);
  }
}

export type Value = number | boolean | string | ValueRecord | ValueFunction | undefined;
export interface ValueRecord {
  readonly [key: string]: Value;
}
export type ValueFunction = (...args: Value[]) => Value;

type TokenKind = 'num' | 'str' | 'ident' | 'op' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '.', ','];

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:[0-9]*\.?[0-9]+|[0-9]+\.)(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i));
      const text = m ? m[0] : c;
      out.push({ kind: 'num', text, pos: start });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const text = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))![0];
      out.push({ kind: 'ident', text, pos: start });
      i += text.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError(src, 'unterminated string literal', start);
      out.push({ kind: 'str', text: src.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(src, `unexpected character '${c}'`, start);
    out.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

/** Deeper nesting (parentheses, unary chains, operator chains) is refused; real conditions use a handful of levels. */
export const MAX_EXPRESSION_DEPTH = 100;

export type Node =
  | { type: 'num'; value: number }
  | { type: 'str'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'ident'; name: string; pos: number }
  | { type: 'member'; object: Node; name: string; pos: number }
  | { type: 'call'; callee: Node; args: Node[]; pos: number }
  | { type: 'unary'; op: '!' | '-'; arg: Node }
  | { type: 'binary'; op: string; left: Node; right: Node; pos: number };

/** Parses an expression into an AST; throws ExpressionError with the column of the problem. */
export function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let k = 0;
  const peek = () => toks[k];
  const isOp = (...ops: string[]) => peek().kind === 'op' && ops.includes(peek().text);
  const expect = (op: string) => {
    if (!isOp(op)) throw new ExpressionError(src, `expected '${op}' but found ${describe(peek())}`, peek().pos);
    k++;
  };

  // Two bounds: `nesting` counts open recursive descents (checked before recursing, so the
  // parser's own stack stays small); `heights` bounds the AST built from operator chains,
  // which the evaluator walks recursively.
  let nesting = 0;
  const tooDeep = (pos: number): never => {
    throw new ExpressionError(src, `nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, pos);
  };
  const nested = <T>(fn: () => T): T => {
    if (++nesting > MAX_EXPRESSION_DEPTH) tooDeep(peek().pos);
    try {
      return fn();
    } finally {
      nesting--;
    }
  };
  const heights = new WeakMap<Node, number>();
  const node = (n: Node, pos: number, kids: Node[]): Node => {
    const h = 1 + kids.reduce((m, c) => Math.max(m, heights.get(c) ?? 1), 0);
    if (h > MAX_EXPRESSION_DEPTH) tooDeep(pos);
    heights.set(n, h);
    return n;
  };

  const binaryLevel = (ops: string[], next: () => Node, single = false) => (): Node => {
    let left = next();
    while (isOp(...ops)) {
      const t = toks[k++];
      const right = next();
      left = node({ type: 'binary', op: t.text, left, right, pos: t.pos }, t.pos, [left, right]);
      if (single && isOp(...ops)) throw new ExpressionError(src, `comparisons cannot be chained; use '&&'`, peek().pos);
    }
    return left;
  };

  const primary = (): Node => {
    const t = peek();
    if (t.kind === 'num') { k++; return { type: 'num', value: Number(t.text) }; }
    if (t.kind === 'str') { k++; return { type: 'str', value: t.text }; }
    if (t.kind === 'ident') {
      k++;
      if (t.text === 'true' || t.text === 'false') return { type: 'bool', value: t.text === 'true' };
      return { type: 'ident', name: t.text, pos: t.pos };
    }
    if (isOp('(')) { k++; const e = nested(or); expect(')'); return e; }
    throw new ExpressionError(src, `expected a number, name or '(' but found ${describe(t)}`, t.pos);
  };
  const postfix = (): Node => {
    let e = primary();
    for (;;) {
      if (isOp('.')) {
        k++;
        const t = peek();
        if (t.kind !== 'ident') throw new ExpressionError(src, `expected a field name after '.' but found ${describe(t)}`, t.pos);
        k++;
        e = node({ type: 'member', object: e, name: t.text, pos: t.pos }, t.pos, [e]);
      } else if (isOp('(')) {
        const pos = peek().pos;
        k++;
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(nested(or));
          while (isOp(',')) { k++; args.push(nested(or)); }
        }
        expect(')');
        e = node({ type: 'call', callee: e, args, pos }, pos, [e, ...args]);
      } else return e;
    }
  };
  const unary = (): Node => {
    if (isOp('!', '-')) {
      const t = toks[k++];
      const arg = nested(unary);
      return node({ type: 'unary', op: t.text as '!' | '-', arg }, t.pos, [arg]);
    }
    return postfix();
  };
  const product = binaryLevel(['*', '/', '%'], unary);
  const sum = binaryLevel(['+', '-'], product);
  const cmp = binaryLevel(['<', '<=', '>', '>=', '==', '!='], sum, true);
  const and = binaryLevel(['&&'], cmp);
  const or: () => Node = binaryLevel(['||'], and);

  if (toks[0].kind === 'eof') throw new ExpressionError(src, 'empty expression');
  const ast = or();
  if (peek().kind !== 'eof') throw new ExpressionError(src, `unexpected ${describe(peek())}`, peek().pos);
  return ast;
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'end of expression' : `'${t.text}'`;
}

/** Every top-level identifier the expression reads (to validate a breakpoint condition before running). */
export function freeIdentifiers(ast: Node): string[] {
  const out = new Set<string>();
  const walk = (n: Node): void => {
    switch (n.type) {
      case 'ident': out.add(n.name); break;
      case 'member': walk(n.object); break;
      case 'call': walk(n.callee); n.args.forEach(walk); break;
      case 'unary': walk(n.arg); break;
      case 'binary': walk(n.left); walk(n.right); break;
      default: break;
    }
  };
  walk(ast);
  return [...out];
}

function isRecord(v: Value): v is ValueRecord {
  return typeof v === 'object' && v !== null;
}

/** Evaluates an AST against an environment; unknown names and fields raise ExpressionError. */
export function evaluateAst(ast: Node, env: ValueRecord, src: string): Value {
  const num = (v: Value, what: string, pos?: number): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw new ExpressionError(src, `${what} is ${kindOf(v)}, expected a number`, pos);
  };
  const truthy = (v: Value): boolean => (typeof v === 'number' ? v !== 0 && !Number.isNaN(v) : Boolean(v));
  const ev = (n: Node): Value => {
    switch (n.type) {
      case 'num': case 'str': case 'bool': return n.value;
      case 'ident': {
        if (!Object.prototype.hasOwnProperty.call(env, n.name))
          throw new ExpressionError(src, `unknown identifier '${n.name}' (known: ${Object.keys(env).join(', ')})`, n.pos);
        return env[n.name];
      }
      case 'member': {
        const obj = ev(n.object);
        if (!isRecord(obj) || typeof obj === 'function') throw new ExpressionError(src, `cannot read field '${n.name}' of ${kindOf(obj)}`, n.pos);
        if (!Object.prototype.hasOwnProperty.call(obj, n.name))
          throw new ExpressionError(src, `unknown field '${n.name}' (known: ${Object.keys(obj).join(', ')})`, n.pos);
        return obj[n.name];
      }
      case 'call': {
        const fn = ev(n.callee);
        if (typeof fn !== 'function') throw new ExpressionError(src, `${kindOf(fn)} is not a function`, n.pos);
        return fn(...n.args.map(ev));
      }
      case 'unary': {
        const v = ev(n.arg);
        return n.op === '!' ? !truthy(v) : -num(v, 'operand of unary -');
      }
      case 'binary': {
        if (n.op === '&&') return truthy(ev(n.left)) && truthy(ev(n.right));
        if (n.op === '||') return truthy(ev(n.left)) || truthy(ev(n.right));
        const l = ev(n.left), r = ev(n.right);
        if ((n.op === '==' || n.op === '!=') && (typeof l === 'string' || typeof r === 'string'))
          return n.op === '==' ? l === r : l !== r;
        const a = num(l, `left side of '${n.op}'`, n.pos), b = num(r, `right side of '${n.op}'`, n.pos);
        switch (n.op) {
          case '+': return a + b;
          case '-': return a - b;
          case '*': return a * b;
          case '/': return a / b;
          case '%': return a % b;
          case '<': return a < b;
          case '<=': return a <= b;
          case '>': return a > b;
          case '>=': return a >= b;
          case '==': return a === b;
          case '!=': return a !== b;
          default: throw new ExpressionError(src, `unknown operator '${n.op}'`, n.pos);
        }
      }
    }
  };
  return ev(ast);
}

function kindOf(v: Value): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Parses and evaluates in one go. */
export function evaluateExpression(src: string, env: ValueRecord): Value {
  return evaluateAst(parseExpression(src), env, src);
}

/** Truthiness as a breakpoint condition sees it. */
export function isTruthy(v: Value): boolean {
  return typeof v === 'number' ? v !== 0 && !Number.isNaN(v) : Boolean(v);
}

/** Short human text of a value for the debug console. */
export function formatValue(v: Value): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+(e|$)/, '$1');
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'ƒ';
  return `{${Object.entries(v).filter(([, x]) => typeof x !== 'object' && typeof x !== 'function').map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')}}`;
}
