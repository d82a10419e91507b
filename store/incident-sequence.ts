/**
 * Incident numbers per team (INC-1, INC-2... in channel names through `{{seq}}`). One atomic upsert gives each start its
 * own number, also when starts race on several API processes.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function nextIncidentNumber(db: Kysely<Database>, team: string): Promise<number> {
  const row = await db
    .insertInto('incident_sequences')
    .values({ team, last_number: 1 })
    .onConflict((conflict) => conflict.column('team').doUpdateSet({ last_number: sql<number>`incident_sequences.last_number + 1` }))
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return Number(row.last_number);
}
