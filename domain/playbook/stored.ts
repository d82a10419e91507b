/**
 * A playbook as the store keeps it, in the shapes the API answers with and the web app reads: its summary (what lists
 * show) and its versions. One definition for the store (store/playbook-repository.ts) and the web app
 * (web/playbooks/playbook-api.ts), so the two cannot drift apart.
 */

/** What lists show: the playbook as of its current version, without the definition. */
export interface PlaybookSummary {
  id: string;
  title: string;
  team: string | null;
  /** The version in force: what a new incident starts from. */
  version: number;
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/** One version of a playbook: when and by whom it was made. */
export interface PlaybookVersionInfo {
  version: number;
  createdAt: string;
  createdBy: string;
}
