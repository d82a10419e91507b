/**
 * One suite for the playbook store, run on SQLite and on Postgres: the product promises both behave the same, so both
 * must pass the same assertions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { openDatabase } from '../../store/database.js';
import { PlaybookRepository, type PlaybookDefinition, type PlaybookSummary } from '../../store/playbook-repository.js';
import { PlaybookStoreError } from '../../store/playbook-store-errors.js';
import type { Database } from '../../store/schema.js';
import { describeOnEachDialect } from '../helpers/store-dialects.js';

interface StoreUnderTest {
  db: Kysely<Database>;
  close(): Promise<void>;
  /** The URL it was opened from, to open the same database a second time. */
  url: string;
}

/** A clock that moves one second per reading, so every write gets a distinct, predictable timestamp. */
function steppingClock(start = Date.parse('2026-03-01T09:00:00.000Z')) {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}

function outage(overrides: Partial<PlaybookDefinition> = {}): PlaybookDefinition {
  return {
    id: 'service-outage',
    title: 'Service outage',
    team: 'sre',
    channel: { nameTemplate: 'inc-{seq}-{slug}', private: false },
    checklists: [{ title: 'Triage', items: [{ title: 'Page the on-call', due: '5m' }] }],
    ...overrides,
  };
}

async function storeError(promise: Promise<unknown>): Promise<PlaybookStoreError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(PlaybookStoreError);
  return error as PlaybookStoreError;
}

/**
 * 25 playbooks whose list order is written out by hand below. Titles are chosen to catch a dialect sorting its own way:
 * case (alpha/Alpha/ALPHA), a tie on title broken by id, an accented letter (byte order puts "é" after "z"; a linguistic
 * collation puts it next to "e"), "~" (after letters in byte order, before digits in many collations), "%" and "_".
 */
const SEEDED: Array<[id: string, title: string, team: string | null]> = [
  ['db-failover', 'Database failover', 'data'],
  ['alpha-2', 'Alpha', 'sre'],
  ['alpha-1', 'alpha', 'sre'],
  ['alpha-3', 'ALPHA drill', null],
  ['eclair', 'Éclair outage', 'web'],
  ['echo', 'echo', 'web'],
  ['zulu', 'Zulu', null],
  ['tilde', '~ maintenance', 'sre'],
  ['percent', '100% CPU', 'sre'],
  ['under', 'disk_full', 'data'],
  ['bravo', 'Bravo', 'web'],
  ['charlie', 'Charlie', 'web'],
  ['delta', 'Delta', 'data'],
  ['foxtrot', 'Foxtrot', 'sre'],
  ['golf', 'Golf', 'sre'],
  ['hotel', 'Hotel', 'web'],
  ['india', 'India', 'data'],
  ['juliett', 'Juliett', null],
  ['kilo', 'Kilo', 'sre'],
  ['lima', 'Lima', 'web'],
  ['mike', 'Mike', 'data'],
  ['november', 'November', 'sre'],
  ['oscar', 'Oscar', 'web'],
  ['papa', 'Papa', null],
  ['quebec', 'Quebec', 'data'],
];

/** Byte order of the lower-cased title, then id. */
const SEEDED_ORDER = [
  'percent', // "100% cpu"
  'alpha-1', // "alpha" (tie with alpha-2, broken by id)
  'alpha-2', // "alpha"
  'alpha-3', // "alpha drill"
  'bravo',
  'charlie',
  'db-failover', // "database failover"
  'delta',
  'under', // "disk_full"
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliett',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
  'quebec',
  'zulu',
  'tilde', // "~ maintenance"
  'eclair', // "éclair outage"
];

function playbookStoreSuite(openStore: () => Promise<StoreUnderTest>) {
  let store: StoreUnderTest;
  let playbooks: PlaybookRepository;

  beforeEach(async () => {
    store = await openStore();
    playbooks = new PlaybookRepository(store.db, { now: steppingClock() });
  });
  afterEach(async () => {
    await store.close();
  });

  async function seed() {
    for (const [id, title, team] of SEEDED) {
      await playbooks.create({ id, title, ...(team ? { team } : {}) }, 'seeder');
    }
  }

  async function listAll(options: Parameters<PlaybookRepository['list']>[0] = {}): Promise<PlaybookSummary[][]> {
    const pages: PlaybookSummary[][] = [];
    let cursor: string | undefined;
    do {
      const page = await playbooks.list({ ...options, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 20);
    return pages;
  }

  describe('create and get', () => {
    it('stores a new playbook at version 1 and reads it back with its whole definition', async () => {
      const created = await playbooks.create(outage(), 'alice');
      expect(created).toEqual({
        id: 'service-outage',
        title: 'Service outage',
        team: 'sre',
        version: 1,
        currentVersion: 1,
        archived: false,
        archivedAt: null,
        definition: outage(),
        createdAt: '2026-03-01T09:00:00.000Z',
        updatedAt: '2026-03-01T09:00:00.000Z',
        createdBy: 'alice',
        updatedBy: 'alice',
        versionCreatedAt: '2026-03-01T09:00:00.000Z',
        versionCreatedBy: 'alice',
      });
      expect(await playbooks.get('service-outage')).toEqual(created);
    });

    it('stores a playbook without a team with team null', async () => {
      const created = await playbooks.create({ id: 'blank', title: 'Blank' }, 'alice');
      expect(created.team).toBeNull();
      expect((await playbooks.get('blank'))?.definition).toEqual({ id: 'blank', title: 'Blank' });
    });

    it('refuses a second playbook with the same id, naming the id, and keeps the first', async () => {
      await playbooks.create(outage(), 'alice');
      const error = await storeError(playbooks.create(outage({ title: 'Impostor' }), 'mallory'));
      expect(error.code).toBe('conflict');
      expect(error.message).toBe('playbook service-outage already exists');
      expect((await playbooks.get('service-outage'))?.title).toBe('Service outage');
    });

    it('refuses a definition without a title or a change without an actor', async () => {
      const noTitle = await storeError(playbooks.create(outage({ title: ' ' }), 'alice'));
      expect(noTitle.code).toBe('invalid_input');
      expect(noTitle.message).toMatch(/^title: /);
      const noActor = await storeError(playbooks.create(outage(), ''));
      expect(noActor.code).toBe('invalid_input');
      expect(await playbooks.get('service-outage')).toBeUndefined();
    });

    it('answers undefined for an unknown playbook or version and refuses a version that is not a number from 1', async () => {
      await playbooks.create(outage(), 'alice');
      expect(await playbooks.get('no-such-playbook')).toBeUndefined();
      expect(await playbooks.get('service-outage', 2)).toBeUndefined();
      expect((await storeError(playbooks.get('service-outage', 0))).code).toBe('invalid_input');
    });
  });

  describe('replace and versions', () => {
    it('writes an edit as a new version and keeps the old one readable, as a running incident needs', async () => {
      await playbooks.create(outage(), 'alice');
      // What an incident started now would snapshot and record (id + version).
      const snapshot = await playbooks.get('service-outage');
      const edited = outage({ title: 'Service outage (v2)', team: 'platform', checklists: [] });

      const replaced = await playbooks.replace('service-outage', edited, 'bob', { expectedVersion: 1 });

      expect(replaced).toMatchObject({
        version: 2,
        currentVersion: 2,
        changed: true,
        title: 'Service outage (v2)',
        team: 'platform',
        definition: edited,
        createdBy: 'alice',
        updatedBy: 'bob',
        createdAt: '2026-03-01T09:00:00.000Z',
        updatedAt: '2026-03-01T09:00:01.000Z',
      });
      const original = await playbooks.get('service-outage', snapshot!.version);
      expect(original?.definition).toEqual(snapshot?.definition);
      expect(original).toMatchObject({ version: 1, currentVersion: 2, title: 'Service outage', team: 'sre', versionCreatedBy: 'alice' });
      expect(await playbooks.versions('service-outage')).toEqual([
        { version: 2, createdAt: '2026-03-01T09:00:01.000Z', createdBy: 'bob' },
        { version: 1, createdAt: '2026-03-01T09:00:00.000Z', createdBy: 'alice' },
      ]);
      const listed = await playbooks.list({ search: 'service' });
      expect(listed.items.map((item) => [item.title, item.version, item.team])).toEqual([['Service outage (v2)', 2, 'platform']]);
    });

    it('refuses an edit based on a version that is no longer current, saying which version is', async () => {
      await playbooks.create(outage(), 'alice');
      await playbooks.replace('service-outage', outage({ title: 'Second' }), 'bob', { expectedVersion: 1 });
      await playbooks.replace('service-outage', outage({ title: 'Third' }), 'bob', { expectedVersion: 2 });

      const error = await storeError(playbooks.replace('service-outage', outage({ title: 'Stale' }), 'carol', { expectedVersion: 2 }));

      expect(error.code).toBe('conflict');
      expect(error.message).toBe('playbook service-outage is at version 3, not 2');
      expect((await playbooks.get('service-outage'))?.title).toBe('Third');
      expect(await playbooks.versions('service-outage')).toHaveLength(3);
    });

    it('adds no version when the definition equals the current one, whatever the order of its keys', async () => {
      await playbooks.create(outage(), 'alice');
      const sameInOtherOrder = {
        checklists: [{ items: [{ due: '5m', title: 'Page the on-call' }], title: 'Triage' }],
        channel: { private: false, nameTemplate: 'inc-{seq}-{slug}' },
        team: 'sre',
        title: 'Service outage',
        id: 'service-outage',
      };
      expect(JSON.stringify(sameInOtherOrder)).not.toBe(JSON.stringify(outage()));

      const result = await playbooks.replace('service-outage', sameInOtherOrder, 'bob');

      expect(result.changed).toBe(false);
      expect(result.version).toBe(1);
      expect(result.updatedBy).toBe('alice');
      expect(await playbooks.versions('service-outage')).toHaveLength(1);
    });

    it('names the problem for an unknown playbook, an archived one, and a definition whose id differs', async () => {
      await playbooks.create(outage(), 'alice');
      const unknown = await storeError(playbooks.replace('nope', outage({ id: 'nope' }), 'bob'));
      expect([unknown.code, unknown.message]).toEqual(['not_found', 'playbook nope does not exist']);

      const renamed = await storeError(playbooks.replace('service-outage', outage({ id: 'other' }), 'bob'));
      expect(renamed.code).toBe('invalid_input');
      expect(renamed.message).toContain('"other" does not match playbook "service-outage"');

      await playbooks.archive('service-outage', 'alice');
      const archived = await storeError(playbooks.replace('service-outage', outage({ title: 'Edited' }), 'bob'));
      expect(archived.code).toBe('conflict');
      expect(archived.message).toContain('is archived');
      expect(await playbooks.versions('service-outage')).toHaveLength(1);
    });

    it('lets exactly one of ten concurrent edits of the same version win', async () => {
      await playbooks.create(outage(), 'alice');
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, n) =>
          playbooks.replace('service-outage', outage({ title: `Edit ${n}` }), `editor-${n}`, { expectedVersion: 1 }),
        ),
      );

      const winners = results.filter((result) => result.status === 'fulfilled');
      const losers = results.filter((result) => result.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers.map((loser) => (loser.reason as PlaybookStoreError).code)).toEqual(Array(9).fill('conflict'));
      const current = await playbooks.get('service-outage');
      expect(current?.version).toBe(2);
      expect(current?.title).toBe(winners[0]!.value.title);
      expect((await playbooks.versions('service-outage')).map((v) => v.version)).toEqual([2, 1]);
    });

    it('never gives two concurrent unconditional edits the same version number', async () => {
      await playbooks.create(outage(), 'alice');
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, n) => playbooks.replace('service-outage', outage({ title: `Edit ${n}` }), `editor-${n}`)),
      );

      const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.version] : []));
      for (const result of results) {
        if (result.status === 'rejected') expect((result.reason as PlaybookStoreError).code).toBe('conflict');
      }
      expect(won.length).toBeGreaterThanOrEqual(1);
      expect(new Set(won).size).toBe(won.length);
      const versions = (await playbooks.versions('service-outage')).map((v) => v.version);
      expect(versions).toEqual(Array.from({ length: won.length + 1 }, (_, i) => won.length + 1 - i));
      expect((await playbooks.get('service-outage'))?.version).toBe(won.length + 1);
    });

    it('reports not_found for the versions of an unknown playbook', async () => {
      expect((await storeError(playbooks.versions('nope'))).code).toBe('not_found');
    });
  });

  describe('list', () => {
    beforeEach(seed);

    it('pages through all playbooks in title-then-id order, ten at a time', async () => {
      const pages = await listAll({ limit: 10 });
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat().map((item) => item.id)).toEqual(SEEDED_ORDER);
    });

    it('gives the whole list in one page when it fits, without a cursor', async () => {
      const page = await playbooks.list();
      expect(page.items.map((item) => item.id)).toEqual(SEEDED_ORDER);
      expect(page.nextCursor).toBeUndefined();
      expect((await playbooks.list({ limit: 25 })).nextCursor).toBeUndefined();
      expect((await playbooks.list({ limit: 24 })).nextCursor).toBeDefined();
    });

    it('matches the search against id or title, ignoring case', async () => {
      const ids = async (search: string) => (await listAll({ search })).flat().map((item) => item.id);
      expect(await ids('ALPHA')).toEqual(['alpha-1', 'alpha-2', 'alpha-3']);
      expect(await ids('FailOver')).toEqual(['db-failover']);
      // Matches the id "db-failover" and the title "Database failover" alike; one row.
      expect(await ids('db-')).toEqual(['db-failover']);
      expect(await ids('ÉCLAIR')).toEqual(['eclair']);
      expect(await ids('lima')).toEqual(['lima']);
      expect(await ids('no such thing')).toEqual([]);
    });

    it('treats % and _ in the search as plain characters', async () => {
      const ids = async (search: string) => (await playbooks.list({ search })).items.map((item) => item.id);
      expect(await ids('%')).toEqual(['percent']);
      expect(await ids('_')).toEqual(['under']);
      expect(await ids('k_f')).toEqual(['under']);
      expect(await ids('disk%full')).toEqual([]);
    });

    it('pages through search results and filters by team', async () => {
      const pages = await listAll({ search: 'o', limit: 3 });
      const expected = SEEDED_ORDER.filter((id) => {
        const [, title] = SEEDED.find(([seededId]) => seededId === id)!;
        return id.includes('o') || title.toLowerCase().includes('o');
      });
      expect(expected.length).toBeGreaterThan(6);
      expect(pages.flat().map((item) => item.id)).toEqual(expected);
      expect(pages.slice(0, -1).every((page) => page.length === 3)).toBe(true);

      const data = (await listAll({ team: 'data', limit: 2 })).flat();
      expect(data.map((item) => item.id)).toEqual(['db-failover', 'delta', 'under', 'india', 'mike', 'quebec']);
      expect(data.every((item) => item.team === 'data')).toBe(true);
    });

    it('leaves archived playbooks out unless asked for', async () => {
      await playbooks.archive('kilo', 'alice');
      expect((await listAll()).flat().map((item) => item.id)).toEqual(SEEDED_ORDER.filter((id) => id !== 'kilo'));
      const all = (await listAll({ includeArchived: true, limit: 7 })).flat();
      expect(all.map((item) => item.id)).toEqual(SEEDED_ORDER);
      expect(all.find((item) => item.id === 'kilo')?.archived).toBe(true);
    });

    it('refuses a cursor it did not issue and a limit out of range', async () => {
      expect((await storeError(playbooks.list({ cursor: 'not-a-cursor' }))).code).toBe('invalid_input');
      expect((await storeError(playbooks.list({ limit: 0 }))).code).toBe('invalid_input');
      expect((await storeError(playbooks.list({ limit: 201 }))).code).toBe('invalid_input');
    });
  });

  describe('archive, restore and duplicate', () => {
    it('archives and restores, refusing to do either twice', async () => {
      await playbooks.create(outage(), 'alice');
      const archived = await playbooks.archive('service-outage', 'bob');
      expect(archived).toMatchObject({ archived: true, archivedAt: '2026-03-01T09:00:01.000Z', updatedBy: 'bob', version: 1 });
      // Archived playbooks stay readable: incidents started from them still name them.
      expect((await playbooks.get('service-outage'))?.archived).toBe(true);

      const twice = await storeError(playbooks.archive('service-outage', 'bob'));
      expect([twice.code, twice.message]).toEqual(['conflict', 'playbook service-outage is already archived']);

      const restored = await playbooks.restore('service-outage', 'carol');
      expect(restored).toMatchObject({ archived: false, archivedAt: null, updatedBy: 'carol' });
      const again = await storeError(playbooks.restore('service-outage', 'carol'));
      expect([again.code, again.message]).toEqual(['conflict', 'playbook service-outage is not archived']);

      expect((await storeError(playbooks.archive('nope', 'bob'))).code).toBe('not_found');
      expect((await storeError(playbooks.restore('nope', 'bob'))).code).toBe('not_found');
    });

    it('duplicates the current version under a new id and title, at version 1, leaving the source as it was', async () => {
      await playbooks.create(outage(), 'alice');
      await playbooks.replace('service-outage', outage({ title: 'Service outage v2' }), 'alice');

      const copy = await playbooks.duplicate('service-outage', 'db-outage', 'bob', 'Database outage');

      expect(copy).toMatchObject({ id: 'db-outage', title: 'Database outage', version: 1, team: 'sre', createdBy: 'bob' });
      expect(copy.definition).toEqual(outage({ id: 'db-outage', title: 'Database outage' }));
      const source = await playbooks.get('service-outage');
      expect(source).toMatchObject({ version: 2, title: 'Service outage v2' });
      expect(source?.definition.id).toBe('service-outage');
    });

    it('titles a duplicate "(copy)" by default and refuses a taken id or an unknown source', async () => {
      await playbooks.create(outage(), 'alice');
      expect((await playbooks.duplicate('service-outage', 'outage-2', 'bob')).title).toBe('Service outage (copy)');
      const taken = await storeError(playbooks.duplicate('service-outage', 'outage-2', 'bob'));
      expect([taken.code, taken.message]).toEqual(['conflict', 'playbook outage-2 already exists']);
      expect((await storeError(playbooks.duplicate('nope', 'outage-3', 'bob'))).code).toBe('not_found');
    });
  });

  describe('migrations', () => {
    it('runs no migration when the same database is opened again, and keeps its data', async () => {
      await playbooks.create(outage(), 'alice');
      const lines: string[] = [];
      const reopened = await openDatabase({ url: store.url, log: (line) => lines.push(line) });
      try {
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/schema is up to date$/);
        expect((await new PlaybookRepository(reopened.db).get('service-outage'))?.title).toBe('Service outage');
      } finally {
        await reopened.close();
      }
    });
  });
}

describeOnEachDialect('playbook store', playbookStoreSuite);
