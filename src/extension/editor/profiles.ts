/** Cost profiles as configured: built-ins plus `tritscope.costProfilesFile`, chosen by `tritscope.costProfile`. */
import * as vscode from 'vscode';
import path from 'node:path';
import { builtinProfiles, DEFAULT_PROFILE_ID, loadProfiles, type TechProfile } from '../../core/cost';
import type { ProfileView } from '../../shared/messages';

export interface ConfiguredProfiles {
  profiles: TechProfile[];
  selectedId: string;
  /** Why the user's file or setting was not used (shown in the editor). */
  error?: string;
}

function resolveUserFile(file: string): string {
  if (!file || path.isAbsolute(file)) return file;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, file) : file;
}

export async function configuredProfiles(): Promise<ConfiguredProfiles> {
  const cfg = vscode.workspace.getConfiguration('tritscope');
  const userFile = resolveUserFile(cfg.get<string>('costProfilesFile', '').trim());
  let profiles: TechProfile[];
  let error: string | undefined;
  try {
    profiles = await loadProfiles(userFile || undefined);
  } catch (err) {
    profiles = builtinProfiles();
    error = (err as Error).message;
  }
  const wanted = cfg.get<string>('costProfile', DEFAULT_PROFILE_ID);
  const found = profiles.some((p) => p.id === wanted);
  if (!found && !error) error = `tritscope.costProfile: "${wanted}" is not a known profile (${profiles.map((p) => p.id).join(', ')}); using ${DEFAULT_PROFILE_ID}`;
  return { profiles, selectedId: found ? wanted : DEFAULT_PROFILE_ID, error };
}

export function profileView(p: TechProfile): ProfileView {
  return { id: p.id, name: p.name, description: p.description, weightEncoding: p.weightEncoding, ops: p.ops };
}
