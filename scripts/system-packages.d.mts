export interface SystemPackage {
  name: string;
  why: string;
  for: string[];
  provides: (env: NodeJS.ProcessEnv) => boolean;
}
export type Purpose = 'test' | 'start' | 'start-browser';
export const SYSTEM_PACKAGES: SystemPackage[];
export function packagesFor(purpose: Purpose): SystemPackage[];
export function dpkgInstalled(names: string[], env?: NodeJS.ProcessEnv): Set<string> | null;
export function missingPackages(
  purpose: Purpose,
  opts?: { env?: NodeJS.ProcessEnv; dpkg?: (names: string[], env: NodeJS.ProcessEnv) => Set<string> | null; provides?: (p: SystemPackage) => boolean },
): SystemPackage[];
export type Plan =
  | { action: 'none' }
  | { action: 'install'; commands: string[][] }
  | { action: 'stop'; message: string; command?: string };
export function plan(missing: SystemPackage[], facts: { uid: number | undefined; sudoWorks: boolean; hasApt: boolean }): Plan;
export function ensureSystemPackages(purpose: Purpose, opts?: { env?: NodeJS.ProcessEnv; log?: (s: string) => void }): string[];
