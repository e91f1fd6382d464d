/**
 * Test-only extension (see test/README.md). code-server ignores
 * --extensionTestsPath, so this extension, installed next to Tritscope from its
 * own .vsix, runs the mocha suites in ./suite/*.test.js on startup when
 * TRITSCOPE_TEST_REPORT names a report file, and writes
 * {vscodeVersion, passed, failed, tests:[{title, state, error}]} there.
 */
import * as vscode from 'vscode';
import Mocha from 'mocha';
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export interface IntegrationReport {
  vscodeVersion: string;
  appName: string;
  passed: number;
  failed: number;
  skipped: number;
  tests: TestRecord[];
  /** Set when the runner itself failed (no suites, a suite file failed to load). */
  runnerError?: string;
}

function writeAtomic(file: string, report: IntegrationReport): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(report, null, 2));
  renameSync(tmp, file);
}

async function runSuites(suiteDir: string, grep: string | undefined): Promise<IntegrationReport> {
  const report: IntegrationReport = {
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    passed: 0,
    failed: 0,
    skipped: 0,
    tests: [],
  };
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  if (grep) mocha.grep(grep);
  const files = readdirSync(suiteDir).filter((f) => f.endsWith('.test.js')).sort();
  if (!files.length) throw new Error(`no *.test.js suites in ${suiteDir}`);
  for (const f of files) mocha.addFile(path.join(suiteDir, f));
  await mocha.loadFilesAsync();
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => {
      report.passed++;
      report.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
    });
    runner.on('fail', (t, err: Error) => {
      report.failed++;
      report.tests.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err) });
    });
    runner.on('pending', (t) => {
      report.skipped++;
      report.tests.push({ title: t.fullTitle(), state: 'pending' });
    });
  });
  return report;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const reportPath = process.env.TRITSCOPE_TEST_REPORT;
  if (!reportPath) return;
  let report: IntegrationReport;
  try {
    report = await runSuites(path.join(context.extensionPath, 'suite'), process.env.TRITSCOPE_TEST_GREP);
  } catch (err) {
    report = {
      vscodeVersion: vscode.version,
      appName: vscode.env.appName,
      passed: 0,
      failed: 1,
      skipped: 0,
      tests: [],
      runnerError: err instanceof Error ? (err.stack ?? err.message) : String(err),
    };
  }
  writeAtomic(reportPath, report);
}

export function deactivate(): void {}
