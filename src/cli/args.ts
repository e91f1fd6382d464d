/** A small, strict argv parser: `--flag`, `--key value`, `--key=value`, positionals. Unknown options are usage errors. */
import { UsageError } from '../core/errors';

export interface OptionSpec {
  /** Option names without dashes, e.g. 'o', 'out'. */
  names: string[];
  /** true: takes a value; false: boolean flag. */
  value: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: string[], specs: OptionSpec[], command: string): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { positionals.push(a); continue; }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`${command}: unknown option '${a}'`);
    const key = spec.names[spec.names.length - 1];
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`${command}: option '--${name}' takes no value`);
      options.set(key, true);
    } else if (eq >= 0) {
      options.set(key, body.slice(eq + 1));
    } else {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${command}: option '--${name}' needs a value`);
      options.set(key, v);
    }
  }
  return { positionals, options };
}

export function optString(p: ParsedArgs, key: string): string | undefined {
  const v = p.options.get(key);
  return typeof v === 'string' ? v : undefined;
}

export function optNumber(p: ParsedArgs, key: string, command: string): number | undefined {
  const v = optString(p, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${command}: --${key} expects a number, got '${v}'`);
  return n;
}

export function optFlag(p: ParsedArgs, key: string): boolean {
  return p.options.get(key) === true;
}
