/**
 * On first run the store has no playbooks; the shipped examples (playbooks/*.yaml) are loaded so a newcomer can start an
 * incident at once. Later runs leave the store alone: a team's edits are theirs.
 */
import type { PlaybookCatalog } from './playbook-files.js';
import type { PlaybookRepository } from './playbook-repository.js';

export async function seedPlaybooksOnFirstRun(repository: PlaybookRepository, examples: PlaybookCatalog, actor = 'first-run'): Promise<string[]> {
  const existing = await repository.list({ includeArchived: true, limit: 1 });
  if (existing.items.length > 0) return [];
  const created: string[] = [];
  for (const playbook of examples.list()) {
    await repository.create(playbook as never, actor);
    created.push(playbook.id);
  }
  return created;
}
