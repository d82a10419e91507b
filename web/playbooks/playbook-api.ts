/**
 * The calls the playbook pages make (api/playbook-routes.ts). A playbook is edited as YAML: the page reads the version's
 * number first and then that very version's text, so the If-Match it saves with names the text that was edited.
 */
import type { Playbook } from '../../domain/playbook/schema.js';
import type { PlaybookSummary, PlaybookVersionInfo } from '../../domain/playbook/stored.js';
import { queryString, request, requestText } from '../api.js';
import { playbookApiPath } from './paths.js';

export const YAML = 'application/yaml';

export type { PlaybookSummary, PlaybookVersionInfo } from '../../domain/playbook/stored.js';

export interface PlaybookListPage {
  items: PlaybookSummary[];
  nextCursor?: string;
}

/** A playbook at one version; `currentVersion` says whether a newer one exists. */
export interface StoredPlaybook extends PlaybookSummary {
  currentVersion: number;
  versionCreatedAt: string;
  versionCreatedBy: string;
  playbook: Playbook;
}

export function listPlaybooks(query: { search?: string; archived: boolean; cursor?: string }, signal: AbortSignal): Promise<PlaybookListPage> {
  const params = { search: query.search, includeArchived: query.archived ? 'true' : undefined, cursor: query.cursor };
  return request<PlaybookListPage>('GET', `/api/v1/playbooks${queryString(params)}`, { signal });
}

export function getPlaybook(id: string, signal?: AbortSignal): Promise<StoredPlaybook> {
  return request<StoredPlaybook>('GET', playbookApiPath(id), signal ? { signal } : {});
}

/** One version's definition as YAML. */
export function getPlaybookYaml(id: string, version: number, signal?: AbortSignal): Promise<string> {
  return requestText('GET', playbookApiPath(id, version), { accept: YAML, ...(signal ? { signal } : {}) });
}

/** The current version's number and its YAML, read in that order so the two belong together. */
export async function getPlaybookForEditing(id: string, signal?: AbortSignal): Promise<{ version: number; yaml: string }> {
  const stored = await getPlaybook(id, signal);
  return { version: stored.version, yaml: await getPlaybookYaml(id, stored.version, signal) };
}

export async function listVersions(id: string, signal: AbortSignal): Promise<PlaybookVersionInfo[]> {
  return (await request<{ items: PlaybookVersionInfo[] }>('GET', `${playbookApiPath(id)}/versions`, { signal })).items;
}

/** A new version from YAML; a 409 when someone saved after `editedVersion`. */
export function savePlaybookYaml(id: string, yaml: string, editedVersion: number): Promise<StoredPlaybook & { changed: boolean }> {
  return request('PUT', playbookApiPath(id), { text: { content: yaml, type: YAML }, headers: { 'If-Match': String(editedVersion) } });
}

export function createPlaybookYaml(yaml: string): Promise<StoredPlaybook> {
  return request('POST', '/api/v1/playbooks', { text: { content: yaml, type: YAML } });
}

export function setArchived(id: string, archived: boolean): Promise<StoredPlaybook> {
  return request('POST', `${playbookApiPath(id)}/${archived ? 'archive' : 'restore'}`);
}

export function duplicatePlaybook(id: string, copy: { id: string; title?: string }): Promise<StoredPlaybook> {
  return request('POST', `${playbookApiPath(id)}/duplicate`, { body: copy });
}

/** The address that downloads a version as a YAML file (a plain link: the session cookie goes with it). */
export function yamlDownloadPath(id: string, version?: number): string {
  return `${playbookApiPath(id, version)}?format=yaml`;
}
