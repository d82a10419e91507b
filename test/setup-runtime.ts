// Quiet Temporal's worker lifecycle logs in test output; warnings and errors still show.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch (error) {
  // A second file in the same process finds the runtime already installed; that is fine.
  if (!/already/i.test((error as Error).message)) throw error;
}
