/**
 * Row types of the store's tables, as Kysely sees them. Both dialects share one schema, so every column uses a type
 * that SQLite and Postgres read back the same way: text, integers, timestamps as ISO-8601 text (they sort and compare as
 * text), JSON documents as text.
 */
/** One row per playbook: what lists and searches read, plus a pointer to the version in force. */
export interface PlaybooksTable {
  /** The playbook's slug, e.g. "service-outage"; also the `id` inside every stored definition. */
  id: string;
  title: string;
  /**
   * The title lower-cased by the application. Lists sort and search on it so that both dialects agree on the order and
   * on case-insensitive matching (SQLite's lower() and LIKE only fold ASCII; Postgres collations vary by server).
   */
  sort_title: string;
  team: string | null;
  current_version: number;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
  created_by: string;
  updated_by: string;
}

/** Every version ever written, kept forever: a running incident names the version whose snapshot it started from. */
export interface PlaybookVersionsTable {
  playbook_id: string;
  version: number;
  /** The validated playbook definition as JSON text. */
  definition: string;
  created_at: string;
  created_by: string;
}

/** The last incident number given out per team: `{{seq}}` in channel names. */
export interface IncidentSequencesTable {
  team: string;
  last_number: number;
}

/** A lock held by one worker process until `expires_at` (store/shared-locks.ts); no row: nobody holds it. */
export interface SharedLocksTable {
  lock_key: string;
  /** Who holds it: a random ID per acquisition, so only its holder frees it. */
  holder: string;
  /** Milliseconds since the epoch; a lock past it may be taken (its holder died or stalled). */
  expires_at: number;
}

export interface Database {
  playbooks: PlaybooksTable;
  playbook_versions: PlaybookVersionsTable;
  incident_sequences: IncidentSequencesTable;
  shared_locks: SharedLocksTable;
}
