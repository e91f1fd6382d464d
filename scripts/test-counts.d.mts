export interface Counts { passed: number; failed: number; skipped: number }
export function parseNodeTestCounts(output: string): Counts | null;
export function formatTotalsLine(total: Counts): string;
export function parsePythonTestCounts(output: string): Counts | null;
