// Reads pass/fail/skip counts from node:test's final summary, TAP ("# pass 3")
// or spec ("ℹ pass 3") reporter; null when the output has no summary.
export function parseNodeTestCounts(output) {
  const pick = (key) => {
    const all = [...output.matchAll(new RegExp(`^(?:#|ℹ)\\s*${key}\\s+(\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : null;
  };
  const passed = pick('pass');
  const failed = pick('fail');
  if (passed === null || failed === null) return null;
  return { passed, failed: failed + (pick('cancelled') ?? 0), skipped: (pick('skipped') ?? 0) + (pick('todo') ?? 0) };
}

/** The last line of `npm test`: `tests: N passed, N failed[, N skipped]`. */
export function formatTotalsLine({ passed, failed, skipped }) {
  return `tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

/** Counts from python/tests/run_tests.py's last line `python tests: N passed, N failed, N skipped`; null without it. */
export function parsePythonTestCounts(output) {
  const all = [...output.matchAll(/^python tests: (\d+) passed, (\d+) failed, (\d+) skipped/gm)];
  if (!all.length) return null;
  const [, passed, failed, skipped] = all[all.length - 1].map(Number);
  return { passed, failed, skipped };
}
