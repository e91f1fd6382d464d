/**
 * Reading and writing `<model>.sensitivity.json`. Written atomically (temp file +
 * rename, src/core/format/atomic.ts); read as hostile input: a regular file of
 * bounded size, parsed by `parseSensitivity`.
 */
import { TnnFormatError } from '../errors';
import { writeFileAtomic } from '../format/index';
import { readRegularFile } from '../fs-guard';
import { MAX_SENSITIVITY_BYTES, parseSensitivity, type Proposal, type SensitivityResult } from './schema';

const MAX_KEPT_PROPOSALS = 8;

export async function writeSensitivity(file: string, result: SensitivityResult): Promise<void> {
  await writeFileAtomic(file, new TextEncoder().encode(`${JSON.stringify(result, null, 1)}\n`));
}

export function readSensitivity(file: string): SensitivityResult {
  const bytes = readRegularFile(file, MAX_SENSITIVITY_BYTES, (detail) => { throw new TnnFormatError(file, '(file)', detail); });
  return parseSensitivity(new TextDecoder('utf-8', { fatal: false }).decode(bytes), file);
}

/** `result` with `p` added, replacing an earlier proposal for the same budget and objective; the newest few are kept. */
export function withProposal(result: SensitivityResult, p: Proposal): SensitivityResult {
  const others = (result.proposals ?? []).filter((q) => q.budget.text !== p.budget.text || q.objective !== p.objective);
  return { ...result, proposals: [...others, p].slice(-MAX_KEPT_PROPOSALS) };
}
