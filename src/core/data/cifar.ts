/**
 * CIFAR-10 and CIFAR-100 in their binary form (cifar-10-binary.tar.gz,
 * cifar-100-binary.tar.gz, https://www.cs.toronto.edu/~kriz/cifar.html):
 *
 *   CIFAR-10:  data_batch_1.bin … data_batch_5.bin (train), test_batch.bin (test);
 *              records of 1 label byte + 3072 pixel bytes.
 *   CIFAR-100: train.bin, test.bin; records of 2 label bytes (coarse, fine) + 3072 pixel bytes.
 *              Tritscope uses the FINE label (100 classes), the one papers report.
 *
 * Pixels are 1024 red, 1024 green, 1024 blue bytes, each plane 32 × 32 row-major,
 * which is already CHW. Records are read from disk per batch, never all at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../errors';
import { readPart, readRegularFile, resolveInside, statRegularFile, type Fail } from '../fs-guard';
import { clip } from '../text';
import type { RawSource } from './pipeline';

export type CifarKind = 'cifar10' | 'cifar100';

const PIXELS = 3 * 32 * 32;

interface Layout {
  classes: number;
  labelBytes: number;
  /** Which label byte is the class (CIFAR-100: byte 1, the fine label). */
  labelAt: number;
  files: Record<'train' | 'test', string[]>;
  /** Folder name inside the official archive, accepted as a parent of DIR too. */
  archiveDir: string;
  namesFile: string;
  names: string[];
}

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
// The fine label names in label order (fine_label_names.txt of the binary archive), used when the file is absent.
const CIFAR100_NAMES = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can castle caterpillar cattle ' +
  'chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo keyboard ' +
  'lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree ' +
  'plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake spider ' +
  'squirrel streetcar sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm'
).split(' ');

const LAYOUTS: Record<CifarKind, Layout> = {
  cifar10: {
    classes: 10, labelBytes: 1, labelAt: 0, archiveDir: 'cifar-10-batches-bin', namesFile: 'batches.meta.txt', names: CIFAR10_NAMES,
    files: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
  },
  cifar100: {
    classes: 100, labelBytes: 2, labelAt: 1, archiveDir: 'cifar-100-binary', namesFile: 'fine_label_names.txt', names: CIFAR100_NAMES,
    files: { train: ['train.bin'], test: ['test.bin'] },
  },
};

/** Class names from the archive's text file when present (one per line), else the built-in list. */
function labelNames(dir: string, l: Layout, fail: Fail): string[] {
  const file = path.join(dir, l.namesFile);
  if (!existsSync(file)) return l.names;
  const text = new TextDecoder().decode(readRegularFile(resolveInside(dir, l.namesFile, fail), 65_536, (d) => fail(`${l.namesFile}: ${d}`)));
  const names = text.split('\n').map((s) => s.trim()).filter(Boolean);
  if (names.length !== l.classes) fail(`${l.namesFile} lists ${names.length} class names; expected ${l.classes}`);
  return names.map((s) => clip(s, 80));
}

export function openCifar(kind: CifarKind, dirArg: string, split: 'train' | 'test', limit?: number): RawSource {
  const l = LAYOUTS[kind];
  const name = `${kind}:${dirArg}:${split}`;
  const fail: Fail = (detail) => {
    throw new DataError(`${name}: ${detail}`);
  };
  const dir = existsSync(path.join(dirArg, l.archiveDir)) ? path.join(dirArg, l.archiveDir) : dirArg;
  const record = l.labelBytes + PIXELS;
  let total = 0;
  const files = l.files[split].map((f) => {
    const fileFail: Fail = (detail) => fail(`${f}: ${detail} (expected the binary version: ${l.files.train.concat(l.files.test).join(', ')} in ${dir})`);
    const real = resolveInside(dir, f, fileFail);
    const size = statRegularFile(real, 2 ** 32, fileFail).size;
    if (size === 0 || size % record !== 0) fail(`${f}: ${size} bytes is not a whole number of ${record}-byte records (${l.labelBytes} label byte${l.labelBytes > 1 ? 's' : ''} + ${PIXELS} pixels); is this the ${kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} binary version?`);
    const entry = { file: real, label: f, first: total, records: size / record };
    total += entry.records;
    return entry;
  });
  const n = limit === undefined ? total : Math.min(total, limit);
  return {
    name,
    n,
    shape: [3, 32, 32],
    labelNames: labelNames(dir, l, fail),
    readRaw(start, count, visit) {
      let k = 0;
      for (const f of files) {
        const lo = Math.max(start, f.first), hi = Math.min(start + count, f.first + f.records);
        if (lo >= hi) continue;
        // One positional read per file touched by the batch.
        const bytes = readPart(f.file, 2 ** 32, (d) => fail(`${f.label}: ${d}`), (lo - f.first) * record, (hi - lo) * record);
        if (bytes.length !== (hi - lo) * record) fail(`${f.label}: file shrank while being read`);
        for (let r = lo; r < hi; r++, k++) {
          const at = (r - lo) * record;
          const label = bytes[at + l.labelAt];
          const where = `${name}: ${f.label} record ${r - f.first}`;
          if (label >= l.classes) throw new DataError(`${where}: label ${label} is not a class (0–${l.classes - 1})`);
          visit(k, { kind: 'tensor', data: bytes, offset: at + l.labelBytes, scale: 1 / 255 }, label, where);
        }
      }
    },
  };
}
