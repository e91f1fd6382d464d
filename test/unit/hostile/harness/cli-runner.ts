/**
 * Runs one hostile case through the real CLI (`node dist/cli.js …` child
 * processes) and judges it:
 *   - no crash: exit 1 or 2 with one `tritscope: …` line, never "internal error",
 *     a signal, a V8 heap abort or the 30 s timeout;
 *   - a clear message: it names one of the case's files (or its folder);
 *   - peak RSS under 1.5 GB (V8 heap capped with --max-old-space-size, and the
 *     real peak read from process.resourceUsage().maxRSS by a preloaded hook,
 *     since typed arrays live outside the V8 heap);
 *   - nothing written: the working directory and the case folder hold the same
 *     entries afterwards; the inputs hash the same.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TIMEOUT_MS = 30_000;
export const RSS_LIMIT_MB = 1536;
/** V8's own heap ceiling inside the child (the RSS check covers everything else). */
const HEAP_MB = 1024;

/** One hostile input and the commands to run on it. `{dir}`/`{out}` in argv are replaced by the case folder / an output path. */
export interface HostileCase {
  reader: string;
  name: string;
  /** The hostile files (hashed before and after; one must be named by the error). */
  inputs: string[];
  /** Folder the case lives in (listed before and after). */
  dir: string;
  commands: string[][];
  /**
   * 'reject': every command must fail with a clear error.
   * 'either': a random mutation that may still be valid: success is fine, a crash is not.
   */
  expect: 'reject' | 'either';
  /** Named when the case checks what another workstream adds (it still runs and counts). */
  awaits?: string;
}

export interface CommandResult {
  argv: string[];
  code: number | null;
  signal: string | null;
  stderr: string;
  maxRssMb?: number;
  ms: number;
  timedOut: boolean;
}

export interface CaseResult {
  c: HostileCase;
  ok: boolean;
  problems: string[];
  results: CommandResult[];
}

const root = mkdtempSync(path.join(tmpdir(), 'tritscope-hostile-run-'));
const PRELOAD = path.join(root, 'rss-report.cjs');
writeFileSync(PRELOAD, "process.on('exit', () => { try { require('fs').writeFileSync(process.env.TRITSCOPE_RSS_REPORT, String(process.resourceUsage().maxRSS)); } catch {} });\n");

export function cleanupRunner(): void {
  rmSync(root, { recursive: true, force: true });
}

const CLI = path.resolve('dist/cli.js');

function runOnce(argv: string[], cwd: string): Promise<CommandResult> {
  const report = path.join(cwd, '..', `${path.basename(cwd)}.rss`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--require', PRELOAD, CLI, ...argv], {
      cwd,
      env: { ...process.env, TRITSCOPE_RSS_REPORT: report, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64_000) stderr += d.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let maxRssMb: number | undefined;
      try {
        maxRssMb = Number(readFileSync(report, 'utf8')) / 1024;
        rmSync(report);
      } catch {
        maxRssMb = undefined;
      }
      resolve({ argv, code, signal, stderr, maxRssMb, ms: Date.now() - started, timedOut });
    });
  });
}

function sha(file: string): string {
  try {
    const s = statSync(file);
    if (!s.isFile()) return `${s.isDirectory() ? 'dir' : 'special'}:${s.size}`;
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (e) {
    return `error:${(e as NodeJS.ErrnoException).code}`;
  }
}

function listing(dir: string): string {
  try {
    return readdirSync(dir).sort().join('\n');
  } catch {
    return '';
  }
}

/** Judges one command's result; returns the problems found. */
function judge(c: HostileCase, r: CommandResult): string[] {
  const p: string[] = [];
  const cmd = `${r.argv[0]}`;
  const line = r.stderr.trim().split('\n')[0] ?? '';
  if (r.timedOut) p.push(`${cmd}: timed out after ${TIMEOUT_MS / 1000} s`);
  else if (r.signal) p.push(`${cmd}: killed by ${r.signal}`);
  else if (r.code !== 0 && r.code !== 1 && r.code !== 2) p.push(`${cmd}: exit code ${r.code} (crash): ${line.slice(0, 300)}`);
  if (r.maxRssMb === undefined && !r.timedOut && !r.signal && (r.code === 0 || r.code === 1 || r.code === 2)) p.push(`${cmd}: no RSS report (the process did not exit normally)`);
  if (r.maxRssMb !== undefined && r.maxRssMb > RSS_LIMIT_MB) p.push(`${cmd}: peak RSS ${r.maxRssMb.toFixed(0)} MB > ${RSS_LIMIT_MB} MB`);
  if (/internal error/.test(r.stderr)) p.push(`${cmd}: ${line.slice(0, 300)}`);
  if (/FATAL ERROR|heap out of memory|Allocation failed/.test(r.stderr)) p.push(`${cmd}: V8 heap exhausted`);
  if (r.code === 0 && c.expect === 'reject') p.push(`${cmd}: accepted a hostile input (exit 0)`);
  if (r.code === 1 || r.code === 2) {
    if (!line.startsWith('tritscope: ')) p.push(`${cmd}: stderr is not one 'tritscope: …' message: ${line.slice(0, 200)}`);
    const named = [...c.inputs, c.dir].some((f) => r.stderr.includes(f) || r.stderr.includes(path.basename(f)));
    if (!named && !/--|\b(layer|node|input|output|attribute|tensor|field)\b/.test(line)) p.push(`${cmd}: the message names no file, field or node: ${line.slice(0, 200)}`);
  }
  return p;
}

export async function runCase(c: HostileCase): Promise<CaseResult> {
  const before = c.inputs.map(sha);
  const dirBefore = listing(c.dir);
  const results: CommandResult[] = [];
  const problems: string[] = [];
  for (const [i, template] of c.commands.entries()) {
    const cwd = mkdtempSync(path.join(root, 'cwd-'));
    const out = path.join(c.dir, `out-${i}.tnn`);
    const argv = template.map((a) => a.replaceAll('{dir}', c.dir).replaceAll('{out}', out));
    const r = await runOnce(argv, cwd);
    results.push(r);
    problems.push(...judge(c, r));
    if (listing(cwd) !== '') problems.push(`${argv[0]}: wrote into the working directory: ${listing(cwd).replace(/\n/g, ', ')}`);
    rmSync(cwd, { recursive: true, force: true });
    // A successful quantize of an 'either' case may write its -o file; anything else written is a problem.
    if (r.code === 0 && argv.includes(out)) rmSync(out, { force: true });
  }
  const after = c.inputs.map(sha);
  c.inputs.forEach((f, i) => {
    if (before[i] !== after[i]) problems.push(`input ${path.basename(f)} changed`);
  });
  if (listing(c.dir) !== dirBefore) problems.push(`the case folder changed: ${listing(c.dir).replace(/\n/g, ', ')}`);
  return { c, ok: problems.length === 0, problems, results };
}

/** Runs cases `concurrency` at a time (the CI machines have 2 cores). */
export async function runAll(cases: HostileCase[], concurrency = 2): Promise<CaseResult[]> {
  const out: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      out[i] = await runCase(cases[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return out;
}

/** A per-reader summary line plus the failures (with the first stderr line of each failing command). */
export function summarize(reader: string, results: CaseResult[]): { line: string; failures: string[] } {
  const failed = results.filter((r) => !r.ok);
  const commands = results.reduce((n, r) => n + r.results.length, 0);
  const peak = Math.max(0, ...results.flatMap((r) => r.results.map((x) => x.maxRssMb ?? 0)));
  const slowest = Math.max(0, ...results.flatMap((r) => r.results.map((x) => x.ms)));
  const line = `${reader}: ${results.length} cases (${commands} CLI runs), ${results.length - failed.length} passed, ${failed.length} failed; peak RSS ${peak.toFixed(0)} MB, slowest run ${(slowest / 1000).toFixed(1)} s`;
  const failures = failed.map((r) => `  ${r.c.name}${r.c.awaits ? ` [awaits ${r.c.awaits}]` : ''}: ${r.problems.join('; ')}`);
  // TRITSCOPE_HOSTILE_VERBOSE=1 prints what every command said, to review the messages themselves.
  if (process.env.TRITSCOPE_HOSTILE_VERBOSE) {
    for (const r of results) for (const x of r.results) console.log(`    ${r.c.name} | ${x.argv[0]} → ${x.code} ${(x.maxRssMb ?? 0).toFixed(0)} MB | ${x.stderr.trim().split('\n')[0]?.slice(0, 240) ?? ''}`);
  }
  return { line, failures };
}
