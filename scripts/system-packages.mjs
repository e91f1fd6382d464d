// The Debian packages Tritscope's tests and `npm start` need, listed once, and the set-up that installs the missing
// ones: used by `npm test` (scripts/test-all.mjs), `npm start` (scripts/start.mjs) and CI (.ci/run).
//
//   node scripts/ensure-system-packages.mjs [--for test|start|start-browser] [--check]
//
// A package counts as present when dpkg-query reports it installed, or when what it provides is there anyway (the
// header file, the browser, the data set, a Python that imports the module: a pip-installed torch is fine). When some
// are missing and this user is root or has non-interactive sudo, they are installed with apt-get, as CI does;
// otherwise the script stops, before anything else runs, with the one command to type. --check only reports.
// TRITSCOPE_SKIP_SYSTEM_PACKAGES=1 skips all of it (a machine without apt whose user knows what is missing).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Python interpreters the PyTorch tests may use (scripts/test-all.mjs picks the first that imports torch). */
const pythons = (env) => [env.TRITSCOPE_PYTHON, '/usr/bin/python3'].filter(Boolean);
const imports = (module) => (env) => pythons(env).some((py) => spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0);
const file = (p) => () => existsSync(p);

/**
 * name: the Debian package; why: shown when it is missing; for: the purposes needing it ('start-browser': `npm start`
 * when it has to serve VS Code with code-server, i.e. no desktop `code`); provides: the check that it works.
 */
export const SYSTEM_PACKAGES = [
  { name: 'libkrb5-dev', why: "gssapi.h for code-server's native modules", for: ['test', 'start-browser'], provides: file('/usr/include/gssapi/gssapi.h') },
  { name: 'chromium', why: 'the browser the e2e tests drive', for: ['test'], provides: file('/usr/bin/chromium') },
  { name: 'dataset-fashion-mnist', why: 'the data set of the samples, the tests and the walkthrough', for: ['test', 'start'], provides: file('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz') },
  { name: 'python3-torch', why: 'the PyTorch package and its tests', for: ['test'], provides: imports('torch') },
  { name: 'python3-torchvision', why: 'the reference CNNs of the tests', for: ['test'], provides: imports('torchvision') },
  { name: 'python3-numpy', why: 'the PyTorch package', for: ['test'], provides: imports('numpy') },
  { name: 'python3-onnx', why: 'the ONNX conformance cases', for: ['test'], provides: imports('onnx') },
  { name: 'python3-pil', why: 'image data sets in the PyTorch tests', for: ['test'], provides: imports('PIL') },
];

/** The packages a purpose needs: 'test' (npm test and CI), 'start' (npm start) or 'start-browser' (npm start without desktop VS Code). */
export function packagesFor(purpose) {
  const wanted = purpose === 'start-browser' ? ['start', 'start-browser'] : [purpose];
  return SYSTEM_PACKAGES.filter((p) => p.for.some((f) => wanted.includes(f)));
}

/**
 * Which of `names` dpkg says are installed: runs `dpkg-query -W -f '${Package}\t${db:Status-Abbrev}\n' names…`
 * ("ii " = installed; unknown names go to stderr and make it exit 1). Returns null when there is no dpkg-query.
 */
export function dpkgInstalled(names, env = process.env) {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package}\t${db:Status-Abbrev}\n', ...names], { encoding: 'utf8', env });
  if (r.error) return null;
  const installed = new Set();
  for (const line of r.stdout.split('\n')) {
    const [pkg, status] = line.split('\t');
    // Multi-arch names come back as name:arch.
    if (pkg && status?.startsWith('ii')) installed.add(pkg.split(':')[0]);
  }
  return installed;
}

/** The missing packages of a purpose: neither installed per dpkg nor provided otherwise. */
export function missingPackages(purpose, { env = process.env, dpkg = dpkgInstalled, provides = (p) => p.provides(env) } = {}) {
  const pkgs = packagesFor(purpose);
  const installed = dpkg(pkgs.map((p) => p.name), env) ?? new Set();
  return pkgs.filter((p) => !installed.has(p.name) && !provides(p));
}

/**
 * What to do about `missing`: nothing, install (root: apt-get; non-interactive sudo: sudo apt-get), or stop with the
 * one command to type. Pure: the facts are passed in.
 */
export function plan(missing, { uid, sudoWorks, hasApt }) {
  if (!missing.length) return { action: 'none' };
  const names = missing.map((p) => p.name);
  const install = ['apt-get', 'install', '-y', ...names];
  const list = missing.map((p) => `  ${p.name.padEnd(22)} ${p.why}`).join('\n');
  if (!hasApt) {
    return { action: 'stop', message: `Tritscope needs these Debian packages, and this machine has no apt-get:\n${list}\nInstall their equivalents, or set TRITSCOPE_SKIP_SYSTEM_PACKAGES=1 to go on without them.` };
  }
  if (uid === 0) return { action: 'install', commands: [['apt-get', 'update'], install] };
  if (sudoWorks) return { action: 'install', commands: [['sudo', '-n', 'apt-get', 'update'], ['sudo', '-n', ...install]] };
  return { action: 'stop', command: `sudo apt-get install -y ${names.join(' ')}`, message: `Tritscope needs these Debian packages:\n${list}\nInstall them with this command, then run the same npm command again:\n\n  sudo apt-get install -y ${names.join(' ')}\n` };
}

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Installs what `purpose` lacks, or prints the command and exits 1; returns the packages it installed. */
export function ensureSystemPackages(purpose, { env = process.env, log = (s) => console.log(`[tritscope] ${s}`) } = {}) {
  if (env.TRITSCOPE_SKIP_SYSTEM_PACKAGES === '1') return [];
  const missing = missingPackages(purpose, { env });
  const p = plan(missing, { uid: process.getuid?.(), sudoWorks: missing.length > 0 && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0, hasApt: onPath('apt-get') });
  if (p.action === 'none') return [];
  if (p.action === 'stop') {
    console.error(`\n${p.message}`);
    process.exit(1);
  }
  log(`installing the missing Debian packages: ${missing.map((m) => m.name).join(' ')}`);
  for (const [cmd, ...args] of p.commands) {
    const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}). Install them by hand: sudo apt-get install -y ${missing.map((m) => m.name).join(' ')}`);
      process.exit(1);
    }
  }
  const still = missingPackages(purpose, { env });
  if (still.length) {
    console.error(`\nstill missing after apt-get install: ${still.map((m) => m.name).join(' ')}`);
    process.exit(1);
  }
  return missing.map((m) => m.name);
}
