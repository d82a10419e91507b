/**
 * What an API process needs besides Temporal, opened the same way by `npm run api` and `npm start`: the store
 * (migrated), its playbooks (seeded from PLAYBOOKS_DIR on first run), the incident records, the incident numbers, the
 * alert rules, and the server settings from the configuration. The API's composition root: the one module of api/ that
 * constructs the store's classes; the rest of api/ sees the records through api/ports/incident-records.ts.
 */
import { resolve } from 'node:path';
import { loadAlertRules } from './alert-rules-file.js';
import type { ApiConfig as Config } from './api-config.js';
import type { Playbook } from '../domain/playbook/schema.js';
import { openDatabase, type OpenedDatabase } from '../store/database.js';
import { IncidentRecordRepository } from '../store/incident-records.js';
import { nextIncidentNumber } from '../store/incident-sequence.js';
import { loadPlaybookDirectory } from '../store/playbook-files.js';
import { lookupFromStore } from '../store/playbook-lookup.js';
import { PlaybookRepository } from '../store/playbook-repository.js';
import { seedPlaybooksOnFirstRun } from '../store/seed-playbooks.js';
import type { AppOptions } from './app.js';

export interface ApiBackends {
  database: OpenedDatabase;
  /** Playbook IDs loaded into an empty store by this start. */
  seeded: string[];
  /** The incident records, as the store has them: `npm start` hands them to its worker too. */
  records: IncidentRecordRepository;
  /** The part of the API's options these make up (all present). */
  options: Required<Pick<AppOptions, 'playbooks' | 'playbookStore' | 'numberIncident' | 'records' | 'alertRules'>>;
}

export async function openApiBackends(config: Config, log: (line: string) => void): Promise<ApiBackends> {
  // The rules first: a broken file should stop the start before anything is opened.
  const alertRules = loadAlertRules(config.ALERT_RULES_FILE);
  const database = await openDatabase({ ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : {}), log });
  const playbookStore = new PlaybookRepository<Playbook>(database.db);
  const seeded = await seedPlaybooksOnFirstRun(playbookStore, loadPlaybookDirectory(resolve(config.PLAYBOOKS_DIR)));
  const records = new IncidentRecordRepository(database.db);
  return {
    database,
    seeded,
    records,
    options: {
      playbooks: lookupFromStore(playbookStore),
      playbookStore,
      numberIncident: (team) => nextIncidentNumber(database.db, team),
      records,
      alertRules,
    },
  };
}

/** Where the API listens and how it guards itself, from the configuration. */
export function apiServerSettings(config: Config) {
  return {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    host: config.API_HOST,
    port: config.API_PORT,
    bodyLimit: config.API_BODY_LIMIT,
    apiTokens: config.API_TOKENS,
    rateLimit: config.API_RATE_LIMIT,
    incidentCommandLimit: config.INCIDENT_COMMAND_RATE_LIMIT,
    authFailureLimit: config.AUTH_FAILURE_LIMIT,
  };
}
