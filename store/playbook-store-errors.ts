/** Why the playbook store refused a change: the API maps each code to an HTTP status (404, 409, 400). */
export type PlaybookStoreErrorCode = 'not_found' | 'conflict' | 'invalid_input';

export class PlaybookStoreError extends Error {
  constructor(
    readonly code: PlaybookStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PlaybookStoreError';
  }
}
