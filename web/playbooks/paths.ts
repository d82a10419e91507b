/**
 * The playbook pages' addresses: /app/playbooks, /app/playbooks/new, /app/playbooks/:id, /app/playbooks/:id/edit and
 * /app/playbooks/:id/versions. The router asks `matchPlaybookPath` and shows whichever it names.
 */

export type PlaybookPageName = 'list' | 'new' | 'show' | 'edit' | 'versions';

export interface PlaybookRoute {
  name: 'playbooks';
  page: PlaybookPageName;
  /** The playbook, on every page but the list and new. */
  id?: string;
}

export function matchPlaybookPath(path: string): PlaybookRoute | undefined {
  if (path === '/app/playbooks' || path === '/app/playbooks/') return { name: 'playbooks', page: 'list' };
  if (path === '/app/playbooks/new') return { name: 'playbooks', page: 'new' };
  const found = /^\/app\/playbooks\/([^/]+)(?:\/(edit|versions))?\/?$/.exec(path);
  if (!found) return undefined;
  return { name: 'playbooks', page: (found[2] as 'edit' | 'versions' | undefined) ?? 'show', id: decodeURIComponent(found[1]!) };
}

export const playbooksPath = '/app/playbooks';

export function playbookPath(id: string, page: 'show' | 'edit' | 'versions' = 'show'): string {
  return `/app/playbooks/${encodeURIComponent(id)}${page === 'show' ? '' : `/${page}`}`;
}

/** The API's address of a playbook (and of one of its versions). */
export function playbookApiPath(id: string, version?: number): string {
  return `/api/v1/playbooks/${encodeURIComponent(id)}${version === undefined ? '' : `/versions/${version}`}`;
}
