/**
 * File-name rules derived from the registry, in the forms their users need:
 * workspace globs (quantize picker, task provider), VS Code when-clauses and
 * custom-editor patterns (package.json, checked by a unit test), open-dialog
 * filters and the short text of prompts and help.
 */
import path from 'node:path';
import { formatsFor } from './registry';
import type { FormatUse, ModelFormat } from './types';

/** `*.onnx`, `model.json`, … for one format. */
export function namePatterns(format: ModelFormat): string[] {
  return [...format.extensions.map((e) => `*${e}`), ...format.fileNames];
}

/** A workspace glob over every format that serves `use`: `**\/{*.onnx,model.json}`. */
export function workspaceGlob(use: FormatUse): string {
  const patterns = formatsFor(use).flatMap(namePatterns);
  return patterns.length === 1 ? `**/${patterns[0]}` : `**/{${patterns.join(',')}}`;
}

/** The explorer when-clause matching files of `use`: `resourceExtname == .onnx || resourceFilename == model.json`. */
export function whenClause(use: FormatUse): string {
  return formatsFor(use)
    .flatMap((f) => [...f.extensions.map((e) => `resourceExtname == ${e}`), ...f.fileNames.map((n) => `resourceFilename == ${n}`)])
    .join(' || ');
}

/** Extensions (without the dot) for an open dialog's filter: `['onnx', 'json']`. */
export function dialogExtensions(which: FormatUse | readonly ModelFormat[]): string[] {
  const formats = typeof which === 'string' ? formatsFor(which) : which;
  const exts = formats.flatMap((f) => [...f.extensions, ...f.fileNames.map((n) => path.extname(n))]);
  return [...new Set(exts.map((e) => e.replace(/^\./, '')).filter(Boolean))];
}

/** How files of `use` are named, for prompts and help: `.onnx or TF.js model.json`. */
export function namesText(use: FormatUse): string {
  const parts = formatsFor(use).flatMap((f) => [...f.extensions, ...f.fileNames.map((n) => `${f.label} ${n}`)]);
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`;
}
