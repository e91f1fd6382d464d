/**
 * `images:DIR` — class-named subfolders of PNG/JPEG files, as torchvision's
 * ImageFolder reads them: classes are the subfolder names in sorted order
 * (label = index), images are found recursively inside each class folder and
 * sorted by path. Other files are ignored; hidden entries (".name") skipped.
 *
 * The folder is hostile: every entry's real path (symlinks resolved) must lie
 * inside DIR, special files are refused, and the listing is bounded. Images
 * are decoded one by one when read (image-file.ts caps each).
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { DataError } from '../errors';
import { describeFsError, resolveInside, type Fail } from '../fs-guard';
import { clip } from '../text';
import { decodeImageFile } from './image-file';
import type { RawSource } from './pipeline';

/** ImageNet's training set has 1.28 M images and 1000 classes; these caps leave room and stop runaway listings. */
export const MAX_FOLDER_IMAGES = 2_000_000;
export const MAX_FOLDER_CLASSES = 100_000;
/** Nesting inside a class folder; deeper trees are not data sets (or are symlink loops). */
const MAX_DEPTH = 8;

const IMAGE_EXT = /\.(png|jpe?g)$/i;

export function openImageFolder(dirArg: string, limit?: number): RawSource {
  const name = `images:${dirArg}`;
  const fail: Fail = (detail) => {
    throw new DataError(`${name}: ${detail}`);
  };
  let root: string;
  try {
    if (!statSync(dirArg).isDirectory()) fail('is not a directory');
    root = path.resolve(dirArg);
  } catch (e) {
    if (e instanceof DataError) throw e;
    fail(describeFsError(e));
  }
  const list = (dir: string): Dirent[] => {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((d) => !d.name.startsWith('.'));
    } catch (e) {
      return fail(`${path.relative(root, dir) || '.'}: ${describeFsError(e)}`);
    }
  };
  // Every entry is checked by its real path: a symlink may point inside the folder, never out of it.
  const real = (rel: string): string => resolveInside(root, rel, (d) => fail(`${clip(rel)}: ${d}`));

  /** A folder or an image file worth reading; links are followed only then, and real() refuses targets outside DIR. */
  const entryKind = (dirReal: string, rel: string, d: Dirent): 'dir' | 'image' | undefined => {
    const image = IMAGE_EXT.test(d.name);
    let dir = d.isDirectory();
    if (d.isSymbolicLink()) {
      try {
        dir = statSync(path.join(dirReal, d.name)).isDirectory();
      } catch {
        dir = false; // dangling: reported below if it has an image name
      }
      if (dir || image) real(rel);
    }
    return dir ? 'dir' : image ? 'image' : undefined;
  };

  const classes = list(root)
    .filter((d) => entryKind(root, d.name, d) === 'dir')
    .map((d) => d.name)
    .sort();
  if (classes.length === 0) fail('has no class subfolders (expected DIR/<class>/<image>.png|.jpg)');
  if (classes.length > MAX_FOLDER_CLASSES) fail(`has ${classes.length} class folders, over the ${MAX_FOLDER_CLASSES} cap`);

  const files: { file: string; rel: string; label: number }[] = [];
  const visited = new Set<string>();
  const walk = (rel: string, label: number, depth: number): void => {
    const dirReal = real(rel);
    if (visited.has(dirReal)) return; // a symlink loop back into the tree
    visited.add(dirReal);
    if (depth > MAX_DEPTH) fail(`${clip(rel)}: folders nest deeper than ${MAX_DEPTH} levels inside a class folder`);
    const found: { rel: string; dir: boolean }[] = [];
    for (const d of list(dirReal)) {
      const childRel = path.join(rel, d.name);
      const kind = entryKind(dirReal, childRel, d);
      if (kind) found.push({ rel: childRel, dir: kind === 'dir' });
    }
    // Files of a folder before its subfolders, each sorted: the order of torchvision's sorted(os.walk(…)).
    found.sort((a, b) => Number(a.dir) - Number(b.dir) || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    for (const f of found) {
      if (f.dir) walk(f.rel, label, depth + 1);
      else {
        if (files.length >= MAX_FOLDER_IMAGES) fail(`holds more than ${MAX_FOLDER_IMAGES} images`);
        files.push({ file: real(f.rel), rel: f.rel, label });
      }
    }
  };
  classes.forEach((c, label) => walk(c, label, 1));
  if (files.length === 0) fail(`no PNG or JPEG files in its ${classes.length} class folder${classes.length === 1 ? '' : 's'}`);

  return {
    name,
    n: limit === undefined ? files.length : Math.min(files.length, limit),
    labelNames: classes.map((c) => clip(c, 80)),
    readRaw(start, count, visit) {
      for (let k = 0; k < count; k++) {
        const f = files[start + k];
        const img = decodeImageFile(f.file);
        visit(k, { kind: 'rgba', data: img.data, width: img.width, height: img.height }, f.label, `${name}: ${f.rel}`);
      }
    },
  };
}
