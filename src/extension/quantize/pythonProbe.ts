/**
 * Finds a Python that can run the PyTorch trainer, and says what is missing
 * when none can. Each candidate runs a short probe script (importing torch takes
 * seconds, so candidates are probed one at a time and the first good one wins).
 * Pure Node: the extension reads the settings and shows the messages.
 */
import { execFile } from 'node:child_process';

export interface PythonProbe {
  /** The candidate as configured or detected (a path or a command on PATH). */
  python: string;
  /** The interpreter started and answered. */
  ran: boolean;
  executable?: string;
  version?: string;
  torch?: string;
  torchError?: string;
  numpy?: string;
  onnx?: string;
  /** Where tritscope_torch was imported from (the extension's bundled copy or an installed one). */
  package?: string;
  packageError?: string;
  /** Why it did not run (not found, timed out, …). */
  error?: string;
}

const PROBE = `
import json, sys
r = {"executable": sys.executable, "version": sys.version.split()[0]}
def imp(key, mod, err=None, attr="__version__"):
    try:
        m = __import__(mod)
        r[key] = str(getattr(m, attr, None) or "?")
    except Exception as e:
        if err: r[err] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
imp("torch", "torch", "torchError")
imp("numpy", "numpy")
imp("onnx", "onnx")
if "torch" in r and "numpy" in r:
    imp("package", "tritscope_torch", "packageError", "__file__")
print(json.dumps(r))
`;

/**
 * Interpreters to try, in order: the `tritscope.python` setting alone when it is set; otherwise the Python
 * extension's `python.defaultInterpreterPath`, `python3` and `python` on PATH, and Debian's `/usr/bin/python3`
 * (its python3-torch is invisible to a pyenv or conda `python3` that comes first on PATH).
 */
export function pythonCandidates(setting: string, pythonExtensionPath?: string): string[] {
  if (setting.trim()) return [setting.trim()];
  const list = [pythonExtensionPath?.trim(), 'python3', 'python', '/usr/bin/python3'].filter((p): p is string => !!p);
  return [...new Set(list)];
}

/** Runs the probe with `python`; the bundled package is put on PYTHONPATH as the trainer will have it. */
export function probePython(python: string, packageDir: string, timeoutMs = 60_000, env: NodeJS.ProcessEnv = process.env): Promise<PythonProbe> {
  return new Promise((resolve) => {
    const pp = env.PYTHONPATH ? `${packageDir}${process.platform === 'win32' ? ';' : ':'}${env.PYTHONPATH}` : packageDir;
    execFile(python, ['-c', PROBE], { timeout: timeoutMs, env: { ...env, PYTHONPATH: pp, PYTHONWARNINGS: 'ignore' }, maxBuffer: 1 << 20 }, (err, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as Omit<PythonProbe, 'python' | 'ran'>;
        resolve({ python, ran: true, ...r });
      } catch {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        const why = e?.code === 'ENOENT' ? 'not found' : e?.killed ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (e?.message.split('\n')[0] ?? 'no answer');
        resolve({ python, ran: false, error: why });
      }
    });
  });
}

export const usable = (p: PythonProbe): boolean => p.ran && !!p.torch && !!p.numpy && !!p.package;

/** Probes `candidates` in order; `chosen` is the first that imports torch, numpy and tritscope_torch. */
export async function detectTorchPython(candidates: string[], packageDir: string, timeoutMs?: number): Promise<{ chosen?: PythonProbe; probes: PythonProbe[] }> {
  const probes: PythonProbe[] = [];
  for (const c of candidates) {
    const p = await probePython(c, packageDir, timeoutMs);
    probes.push(p);
    if (usable(p)) return { chosen: p, probes };
  }
  return { probes };
}

export interface MissingReport {
  /** One sentence: what is missing, where. */
  summary: string;
  /** Commands that install it. */
  install: string[];
}

/** What the PyTorch backend lacks (undefined when `probe` can run it; `needOnnx` for an .onnx source). */
export function missingReport(probes: PythonProbe[], needOnnx = false): MissingReport | undefined {
  const ran = probes.filter((p) => p.ran);
  const best = ran.find(usable) ?? ran.find((p) => p.torch) ?? ran[0];
  if (!best) {
    const tried = probes.map((p) => `${p.python} (${p.error ?? 'no answer'})`).join(', ');
    return {
      summary: `No Python interpreter was found (tried ${tried}). The PyTorch backend needs Python 3 with PyTorch; set "tritscope.python" if yours is elsewhere.`,
      install: ['sudo apt-get install python3 python3-torch python3-numpy python3-onnx', 'or from python.org / your distribution, then: python3 -m pip install torch numpy onnx'],
    };
  }
  const py = best.python;
  const where = `${py}${best.version ? ` (Python ${best.version})` : ''}`;
  const missing = [!best.torch && 'torch', !best.numpy && 'numpy', needOnnx && !best.onnx && 'onnx'].filter((m): m is string => !!m);
  if (missing.length) {
    const debs = missing.map((m) => `python3-${m}`).join(' ');
    const detail = best.torchError && !best.torch ? ` (${best.torchError})` : '';
    return {
      summary: `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not importable by ${where}${detail}.`,
      install: [
        `sudo apt-get install ${debs}   # Debian/Ubuntu system Python (/usr/bin/python3)`,
        `${py} -m pip install ${missing.join(' ')}   # a venv or conda environment (Debian: python3 -m venv --system-site-packages .venv keeps python3-torch visible)`,
        'then set "tritscope.python" to that interpreter if it is not found by itself',
      ],
    };
  }
  if (!best.package) {
    return {
      summary: `${where} has PyTorch ${best.torch} but cannot import tritscope_torch: ${best.packageError ?? 'unknown error'}.`,
      install: [`${py} -m pip install --no-build-isolation -e <tritscope>/python   # or reinstall the extension, which bundles it`],
    };
  }
  return undefined;
}
