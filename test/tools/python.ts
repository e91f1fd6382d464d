/**
 * The Python interpreter for tests that need Debian's scientific packages (onnx, torch,
 * torchvision): $TRITSCOPE_PYTHON, /usr/bin/python3, then python3 on PATH — the first that
 * imports all of `modules` (scripts/test-all.mjs picks the same way). Undefined when none does;
 * callers fail with the install command rather than skip.
 */
import { spawnSync } from 'node:child_process';

const found = new Map<string, string | undefined>();

export function pythonWith(modules: readonly string[]): string | undefined {
  const key = modules.join(',');
  if (!found.has(key)) {
    const candidates = [process.env.TRITSCOPE_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
    found.set(key, candidates.find((c) => spawnSync(c, ['-c', `import ${key}`], { stdio: 'ignore' }).status === 0));
  }
  return found.get(key);
}

export const DEBIAN_PACKAGES = 'sudo apt-get install python3-onnx python3-torch python3-torchvision python3-numpy';

/** The interpreter, or an Error saying what to install (the test fails with it). */
export function requirePython(modules: readonly string[]): string {
  const py = pythonWith(modules);
  if (!py) throw new Error(`no Python interpreter imports ${modules.join(', ')}: ${DEBIAN_PACKAGES} (or set TRITSCOPE_PYTHON)`);
  return py;
}
