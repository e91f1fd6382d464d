/**
 * `tritscope inspect` for weights-only models (GGUF, Hugging Face safetensors
 * checkpoints, weights-only .tnn): header listing, streamed statistics,
 * `--json` in the inspect contract (src/core/weights/summary.ts), `--bandwidth`
 * for the tokens/s bound, `--cost <profile id>` to re-price the ternary
 * matrices with a built-in profile's weight encoding.
 */
import { optFlag, optNumber, optString, type ParsedArgs } from '../args';
import type { CliIO } from './types';
import { builtinProfiles, findProfile } from '../../core/cost';
import { UsageError } from '../../core/errors';
import { computeWeightsStats } from '../../core/weights/stats';
import { summarizeWeights } from '../../core/weights/summary';
import { formatWeightsTable } from '../../core/weights/table';
import { tokenCost } from '../../core/weights/token-cost';
import type { WeightsListing } from '../../core/weights/types';

/** `listing` comes from the model-format registry (loadModel's `kind: 'weights'`). */
export async function inspectWeights(listing: WeightsListing, args: ParsedArgs, io: CliIO): Promise<number> {
  const bandwidthGBs = optNumber(args, 'bandwidth', 'inspect');
  if (bandwidthGBs !== undefined && !(bandwidthGBs > 0)) throw new UsageError(`inspect: --bandwidth expects GB/s > 0, got ${bandwidthGBs}`);
  const profileId = optString(args, 'cost');
  const profile = profileId === undefined ? undefined : findProfile(builtinProfiles(), profileId);
  let shown = -1;
  const stats = await computeWeightsStats(listing, {
    signal: io.signal,
    onProgress: (p) => {
      if (!io.isTTY) return;
      const pct = Math.floor((100 * p.bytesDone) / Math.max(1, p.bytesTotal));
      if (pct !== shown) io.stderr(`\rstatistics ${(shown = pct)}%${pct === 100 ? '\n' : ''}`);
    },
  });
  const summary = summarizeWeights(listing, stats, { bandwidthGBs });
  if (profile) summary.cost = tokenCost({ ...listing, tensors: listing.tensors.map((t, i) => ({ ...t, ternary: stats.tensors[i].ternary })) }, { bandwidthGBs, profile });
  if (optFlag(args, 'json')) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const p = summary.cost.profile;
    const extra = p ? `with ${p.id} (${p.weightEncoding} trits): ${(p.bytesPerToken / 2 ** 20).toFixed(1)} MiB/token → ≤ ${p.tokensPerSecond.toFixed(1)} tokens/s\n` : '';
    io.stdout(formatWeightsTable(summary) + extra);
  }
  return 0;
}
