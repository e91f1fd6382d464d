/**
 * Installs the `inspect --cost <profile>` hook: <profile> is a built-in profile id
 * (binary-cmos-2bit, cntfet-ternary, float32-mac, int8-mac), a profiles JSON file
 * (its first profile), or `file.json#id`. See docs/cost-model.md.
 */
import { existsSync } from 'node:fs';
import { setInspectCostHook } from './inspect';
import { addCost, builtinProfiles, findProfile, loadProfilesFile, type ModelCost, type TechProfile } from '../../core/cost';
import { UsageError } from '../../core/errors';

/** A built-in profile id, a profiles file (its first profile) or `file.json#id`; `flag` names the option in errors. */
export async function resolveProfile(spec: string, flag = 'inspect: --cost'): Promise<TechProfile> {
  const hash = spec.lastIndexOf('#');
  const [file, id] = hash > 0 ? [spec.slice(0, hash), spec.slice(hash + 1)] : [spec, undefined];
  if (/\.json$/i.test(file) || existsSync(file)) {
    const mine = await loadProfilesFile(file);
    return id ? findProfile(mine, id) : mine[0];
  }
  const all = builtinProfiles();
  if (!all.some((p) => p.id === spec)) throw new UsageError(`${flag} ${spec}: unknown profile; use one of ${all.map((p) => p.id).join(', ')} or a profiles .json file`);
  return findProfile(all, spec);
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const num = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : String(Math.round(v * 1000) / 1000));

export function formatCostTable(cost: ModelCost): string {
  const head = [pad('layer', 18), pad('kind', 4), lpad('MACs', 9), lpad('adds', 8), lpad('mem bits', 10), lpad('zero-skip', 10), lpad('energy pJ', 11)].join(' ');
  const line = (name: string, kind: string, c: ModelCost['totals']) =>
    [pad(name, 18), pad(kind, 4), lpad(num(c.macs.total), 9), lpad(num(c.additions), 8), lpad(num(c.memoryBits), 10), lpad(num(c.zeroSkip.skippableMacs), 10), lpad(num(c.energyPj), 11)].join(' ');
  const rows = cost.layers.filter((l) => l.macs.total || l.additions || l.memoryBits).map((l) => line(l.name, l.macKind ?? '', l));
  return [`cost profile: ${cost.profile.name} (${cost.profile.id}); per sample; assumptions in docs/cost-model.md`, head, ...rows, line('total', '', cost.totals)].join('\n');
}

setInspectCostHook(async (summary, model, spec) => {
  const profile = await resolveProfile(spec);
  const costed = addCost(summary, model, profile);
  const cost: ModelCost = { profile: costed.costProfile as ModelCost['profile'], layers: costed.layers.map((l) => l.cost).filter(Boolean), totals: costed.totals.cost };
  return { summary: costed, text: formatCostTable(cost) };
});
