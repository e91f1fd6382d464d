/**
 * Opening files named by other files (weight shards in a model.json, images in
 * a data set folder) as if the naming file were hostile: paths stay inside
 * their folder, symlinks included; only regular files are read (a FIFO blocks
 * forever, /dev/zero never ends); sizes are checked before reading.
 *
 * Failures go to the caller's `fail`, so each reader raises its own error
 * class with its own file and field in the message.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

export type Fail = (detail: string) => never;

/** The errno code and a few words, e.g. "not found (ENOENT)". Codes are what users search for. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'not found',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a path component is not a directory',
    ELOOP: 'too many levels of symbolic links',
    ENAMETOOLONG: 'name too long',
    EMFILE: 'too many open files',
  };
  if (e?.code) return `${words[e.code] ?? e.message} (${e.code})`;
  return String(e?.message ?? err);
}

const inside = (root: string, p: string): boolean => {
  const rel = path.relative(root, p);
  return rel === '' ? false : !rel.startsWith('..') && !path.isAbsolute(rel);
};

/**
 * Resolves `ref` (a relative path read from a file) against `dir` and proves
 * that both the path and its real location (symlinks resolved) lie inside
 * `dir`. Returns the real path.
 */
export function resolveInside(dir: string, ref: unknown, fail: Fail): string {
  if (typeof ref !== 'string') fail(`expected a relative path string, found ${ref === null ? 'null' : Array.isArray(ref) ? 'an array' : typeof ref}`);
  if (ref.length === 0) fail('empty path');
  if (ref.includes('\0')) fail('path contains a NUL character');
  // Absolute on any platform: a model.json written on Windows must not reach C:\ either.
  if (path.isAbsolute(ref) || /^[A-Za-z]:/.test(ref) || ref.startsWith('\\')) fail(`absolute path '${ref}' is not allowed; paths must be relative to the model's folder`);
  const lexical = path.resolve(dir, ref);
  if (!inside(path.resolve(dir), lexical)) fail(`path '${ref}' leaves the model's folder`);
  let realDir: string, real: string;
  try {
    realDir = realpathSync(dir);
    real = realpathSync(lexical);
  } catch (e) {
    fail(`'${ref}': ${describeFsError(e)}`);
  }
  if (!inside(realDir, real)) fail(`'${ref}' resolves to ${real}, outside the model's folder (symbolic link)`);
  return real;
}

/** Stat of a regular file no larger than `maxBytes`; anything else fails before it is opened. */
export function statRegularFile(file: string, maxBytes: number, fail: Fail): Stats {
  let s: Stats;
  try {
    s = statSync(file);
  } catch (e) {
    fail(describeFsError(e));
  }
  if (!s.isFile()) fail(`is not a regular file (${s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : s.isSocket() ? 'a socket' : 'special file'})`);
  if (s.size > maxBytes) fail(`is ${s.size} bytes, over the ${maxBytes}-byte cap`);
  return s;
}

/**
 * Opens a regular file of at most `maxBytes` and hands its descriptor to
 * `use`, then closes it. Re-checks the opened descriptor: a file swapped for a
 * FIFO (or resized) between stat and open is refused; O_NONBLOCK keeps the
 * open itself from blocking. Errno failures inside `use` go to `fail`.
 */
function withRegularFile<T>(file: string, maxBytes: number, fail: Fail, use: (fd: number, size: number) => T): T {
  const s = statRegularFile(file, maxBytes, fail);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    fail(describeFsError(e));
  }
  try {
    const now = fstatSync(fd);
    if (!now.isFile() || now.size !== s.size) fail('changed while being opened');
    return use(fd, now.size);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) fail(describeFsError(e));
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Reads a regular file of at most `maxBytes` into `into` at `offset` (or a new buffer) and returns its bytes. */
export function readRegularFile(file: string, maxBytes: number, fail: Fail, into?: Uint8Array, offset = 0): Uint8Array {
  return withRegularFile(file, maxBytes, fail, (fd, size) => {
    const out = into ?? new Uint8Array(size);
    if (offset + size > out.length) fail(`is ${size} bytes, more than the ${out.length - offset} expected`);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, out, offset + done, size - done, done);
      if (n === 0) fail(`ended after ${done} of ${size} bytes (truncated while reading)`);
      done += n;
    }
    return into ? out.subarray(offset, offset + size) : out;
  });
}

/** The first `n` bytes (fewer if the file is shorter) of a regular file of at most `maxBytes`. */
export function readHead(file: string, n: number, maxBytes: number, fail: Fail): Uint8Array {
  return readPart(file, maxBytes, fail, 0, n);
}

/** `length` bytes at `position` of a regular file of at most `maxBytes` (fewer at the end of the file). */
export function readPart(file: string, maxBytes: number, fail: Fail, position: number, length: number): Uint8Array {
  return withRegularFile(file, maxBytes, fail, (fd) => {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const got = readSync(fd, out, done, length - done, position + done);
      if (got === 0) break;
      done += got;
    }
    return out.subarray(0, done);
  });
}

/**
 * Reads into `into` from byte `position` of an open file until it is full or the
 * file ends; returns the bytes read (the caller judges a short read). Read
 * failures are thrown as `fail(err)`, so each reader raises its own error class.
 */
export async function readAt(handle: FileHandle, into: Uint8Array, position: number, fail: (err: unknown) => Error): Promise<number> {
  let done = 0;
  while (done < into.length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(into, done, into.length - done, position + done));
    } catch (err) {
      throw fail(err);
    }
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
