/**
 * The preprocessing spec (`--preprocess`), applied the same way by eval, run and
 * quantize calibration. Grammar (items separated by commas, later items win):
 *
 *   preprocess := item (',' item)*
 *   item       := 'none' | 'imagenet' | 'cifar'
 *               | 'resize=' SIZE      SIZE: N (shorter side to N, aspect kept, as torchvision Resize(N)) or HxW
 *               | 'crop=' SIZE        center crop: N (N×N) or HxW
 *               | 'mean=' NUMS        NUMS: one value, or one per channel separated by ':'
 *               | 'std=' NUMS         all > 0
 *
 *   imagenet = resize=256,crop=224,mean=0.485:0.456:0.406,std=0.229:0.224:0.225  (torchvision's ImageNet recipe)
 *   cifar    = mean=0.4914:0.4822:0.4465,std=0.2470:0.2435:0.2616  (CIFAR-10 training-set statistics)
 *   none     = nothing: pixels in [0, 1]
 *
 * Order: pixels scaled to [0,1] → resize → center crop → (image files only) fit to the model's input size →
 * (x − mean) / std. Resizing is PIL-style bilinear (resample.ts).
 */
import { DataError } from '../errors';
import { clip } from '../text';

export type Size = { short: number } | { h: number; w: number };

export interface PreprocessSpec {
  resize?: Size;
  crop?: { h: number; w: number };
  mean?: number[];
  std?: number[];
  /** The spec as given (for provenance and messages). */
  text: string;
}

const PRESETS: Record<string, Omit<PreprocessSpec, 'text'>> = {
  none: {},
  imagenet: { resize: { short: 256 }, crop: { h: 224, w: 224 }, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  cifar: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
};

export const NO_PREPROCESS: PreprocessSpec = { text: 'none' };

/** Side lengths up to this many pixels (a typo like resize=2560000 is not an allocation request). */
const MAX_SIDE = 16_384;

function parseSize(value: string, key: string, text: string): Size {
  const fail = (): never => {
    throw new DataError(`--preprocess '${clip(text)}': ${key}=${clip(value, 40)} must be N or HxW with whole numbers 1–${MAX_SIDE}`);
  };
  const m = /^(\d{1,5})(?:x(\d{1,5}))?$/.exec(value);
  if (!m) fail();
  const a = Number(m![1]), b = m![2] === undefined ? undefined : Number(m![2]);
  if (a < 1 || a > MAX_SIDE || (b !== undefined && (b < 1 || b > MAX_SIDE))) fail();
  return b === undefined ? { short: a } : { h: a, w: b };
}

function parseNumbers(value: string, key: string, text: string, positive: boolean): number[] {
  const parts = value.split(':');
  const nums = parts.map(Number);
  if (parts.length > 4 || parts.some((p) => p.trim() === '') || nums.some((v) => !Number.isFinite(v) || (positive && !(v > 0)))) {
    throw new DataError(`--preprocess '${clip(text)}': ${key}=${clip(value, 40)} must be 1 to 4 ${positive ? 'positive ' : ''}numbers separated by ':' (one per channel)`);
  }
  return nums;
}

export function parsePreprocess(text: string | undefined): PreprocessSpec {
  if (text === undefined || text === '') return NO_PREPROCESS;
  const spec: PreprocessSpec = { text };
  for (const item of text.split(',').map((s) => s.trim())) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      const preset = Object.prototype.hasOwnProperty.call(PRESETS, item) ? PRESETS[item] : undefined;
      if (!preset) throw new DataError(`--preprocess '${clip(text)}': unknown item '${clip(item, 40)}'; expected none, imagenet, cifar, resize=…, crop=…, mean=… or std=…`);
      delete spec.resize; delete spec.crop; delete spec.mean; delete spec.std;
      Object.assign(spec, structuredClone(preset));
      continue;
    }
    const key = item.slice(0, eq), value = item.slice(eq + 1);
    if (key === 'resize') spec.resize = parseSize(value, key, text);
    else if (key === 'crop') {
      const s = parseSize(value, key, text);
      spec.crop = 'short' in s ? { h: s.short, w: s.short } : s;
    } else if (key === 'mean') spec.mean = parseNumbers(value, key, text, false);
    else if (key === 'std') spec.std = parseNumbers(value, key, text, true);
    else throw new DataError(`--preprocess '${clip(text)}': unknown key '${clip(key, 40)}'; expected resize, crop, mean or std`);
  }
  return spec;
}

export const isGeometric = (s: PreprocessSpec): boolean => s.resize !== undefined || s.crop !== undefined;
export const isIdentity = (s: PreprocessSpec): boolean => !isGeometric(s) && s.mean === undefined && s.std === undefined;

/** Python's round() (half to even), which torchvision's CenterCrop uses for the offsets. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
}

/** Where the output pixels come from: a window of the resized grid, for an h × w source. */
export interface Geometry {
  resizedH: number;
  resizedW: number;
  top: number;
  left: number;
  h: number;
  w: number;
}

export function geometry(spec: PreprocessSpec, h: number, w: number, where: string): Geometry {
  let rh = h, rw = w;
  const r = spec.resize;
  if (r && 'short' in r) {
    // torchvision Resize(N): the shorter side becomes N, the longer int(N · long / short).
    if (h <= w) { rh = r.short; rw = Math.max(1, Math.floor((r.short * w) / h)); }
    else { rw = r.short; rh = Math.max(1, Math.floor((r.short * h) / w)); }
  } else if (r) { rh = r.h; rw = r.w; }
  if (!spec.crop) return { resizedH: rh, resizedW: rw, top: 0, left: 0, h: rh, w: rw };
  const { h: ch, w: cw } = spec.crop;
  if (ch > rh || cw > rw) throw new DataError(`${where}: crop ${ch}x${cw} is larger than the ${rh}x${rw} image it is cut from (resize first, e.g. --preprocess resize=${Math.max(ch, cw)},crop=…)`);
  return { resizedH: rh, resizedW: rw, top: roundHalfEven((rh - ch) / 2), left: roundHalfEven((rw - cw) / 2), h: ch, w: cw };
}

/** mean/std per output channel, checked against the channel count. */
export function normalization(spec: PreprocessSpec, channels: number, where: string): { mean: number[]; std: number[] } | undefined {
  if (spec.mean === undefined && spec.std === undefined) return undefined;
  const expand = (v: number[] | undefined, dflt: number, key: string): number[] => {
    if (v === undefined) return new Array(channels).fill(dflt);
    if (v.length === 1) return new Array(channels).fill(v[0]);
    if (v.length !== channels) throw new DataError(`${where}: --preprocess ${key} has ${v.length} values for ${channels}-channel samples (give 1 or ${channels})`);
    return v;
  };
  return { mean: expand(spec.mean, 0, 'mean'), std: expand(spec.std, 1, 'std') };
}
