// `node scripts/ensure-system-packages.mjs [--for test|start|start-browser] [--check]`: the Debian packages of
// scripts/system-packages.mjs, installed when missing (root or non-interactive sudo) or named in the one command to
// type. .ci/run calls it; npm test and npm start call ensureSystemPackages() themselves.
import { ensureSystemPackages, missingPackages } from './system-packages.mjs';

const argv = process.argv.slice(2);
const purpose = argv.includes('--for') ? argv[argv.indexOf('--for') + 1] : 'test';
if (!['test', 'start', 'start-browser'].includes(purpose)) {
  console.error(`--for takes test, start or start-browser, not ${purpose}`);
  process.exit(2);
}
if (argv.includes('--check')) {
  const missing = missingPackages(purpose);
  console.log(missing.length ? `missing for ${purpose}: ${missing.map((m) => m.name).join(' ')}` : `all system packages for ${purpose} are present`);
  process.exit(missing.length ? 1 : 0);
}
const installed = ensureSystemPackages(purpose);
console.log(installed.length ? `installed ${installed.join(' ')}` : `all system packages for ${purpose} are present`);
