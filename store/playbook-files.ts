/**
 * Playbooks read from a folder of YAML or JSON files (the shipped examples, or a team's playbooks-as-code folder). Every
 * invalid file is reported with its name and each problem's path, so one run shows everything to fix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeZodIssues } from '../domain/errors.js';
import { playbookSchema, type Playbook } from '../domain/playbook/schema.js';

export class PlaybookFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid playbook files:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PlaybookFileError';
  }
}

export class PlaybookCatalog {
  constructor(private readonly playbooks: Map<string, Playbook>) {}

  get(id: string): Playbook | undefined {
    return this.playbooks.get(id);
  }

  list(): Playbook[] {
    return [...this.playbooks.values()].sort((a, b) => a.title.localeCompare(b.title));
  }

  ids(): string[] {
    return [...this.playbooks.keys()].sort();
  }
}

export function loadPlaybookDirectory(directory: string): PlaybookCatalog {
  const problems: string[] = [];
  const playbooks = new Map<string, Playbook>();
  const files = readdirSync(directory)
    .filter((name) => ['.yaml', '.yml', '.json'].includes(extname(name)))
    .sort();
  for (const file of files) {
    let raw: unknown;
    try {
      const text = readFileSync(join(directory, file), 'utf8');
      raw = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      problems.push(`${file}: cannot be parsed: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = playbookSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...describeZodIssues(parsed.error).map((problem) => `${file}: ${problem}`));
      continue;
    }
    const previous = playbooks.get(parsed.data.id);
    if (previous) {
      problems.push(`${file}: playbook id "${parsed.data.id}" is already used by another file`);
      continue;
    }
    playbooks.set(parsed.data.id, parsed.data);
  }
  if (problems.length > 0) throw new PlaybookFileError(problems);
  return new PlaybookCatalog(playbooks);
}
