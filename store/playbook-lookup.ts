/**
 * Where the front doors find playbooks by ID: the database store in the running product, a folder of files in tests and
 * tools. Reads re-validate the stored definition, so what an incident snapshots always has every default filled in.
 */
import type { Playbook } from '../domain/playbook/schema.js';
import { validatePlaybook } from '../domain/playbook/validation.js';
import type { PlaybookCatalog } from './playbook-files.js';
import type { PlaybookRepository } from './playbook-repository.js';

export interface PlaybookLookup {
  /** The current version of an active playbook. */
  get(id: string): Promise<Playbook | undefined>;
  /** Active playbooks, sorted by title. */
  list(): Promise<Playbook[]>;
}

export function lookupFromFiles(catalog: PlaybookCatalog): PlaybookLookup {
  return {
    get: async (id) => catalog.get(id),
    list: async () => catalog.list(),
  };
}

export function lookupFromStore(repository: PlaybookRepository): PlaybookLookup {
  const parse = (definition: unknown, id: string): Playbook => {
    const checked = validatePlaybook(definition);
    // A stored definition was valid when written; one that no longer is (after a schema change) must not start incidents.
    if (!checked.ok) throw new Error(`stored playbook ${id} no longer validates: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    return checked.playbook;
  };
  return {
    async get(id) {
      const stored = await repository.get(id);
      if (!stored || stored.archived) return undefined;
      return { ...parse(stored.definition, id), version: stored.version };
    },
    async list() {
      const playbooks: Playbook[] = [];
      let cursor: string | undefined;
      do {
        const page = await repository.list({ limit: 200, ...(cursor ? { cursor } : {}) });
        for (const summary of page.items) {
          const stored = await repository.get(summary.id);
          if (stored) playbooks.push({ ...parse(stored.definition, summary.id), version: stored.version });
        }
        cursor = page.nextCursor;
      } while (cursor);
      return playbooks;
    },
  };
}
