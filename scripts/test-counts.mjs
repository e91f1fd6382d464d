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
