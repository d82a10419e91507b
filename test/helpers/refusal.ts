/** The IncidentCommandError a command is refused with; fails the test when it is not refused. */
import { IncidentCommandError } from '../../domain/errors.js';

export function refusal(run: () => unknown): IncidentCommandError {
  try {
    run();
  } catch (error) {
    if (error instanceof IncidentCommandError) return error;
    throw error;
  }
  throw new Error('expected the command to be refused');
}
