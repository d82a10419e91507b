/**
 * The scripts run under Node's own ESM loader (tsx), where CommonJS packages offer only what Node can see of them:
 * vitest's interop is kinder, so a named import that works in tests can still fail in `npm run temporal:setup` ("does
 * not provide an export named"). This loads the modules the scripts use the way the scripts do.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it.each(['temporal/register-search-attributes.ts', 'temporal/connection.ts', 'store/database.ts', 'api/backends.ts', 'integrations/mattermost/mattermost-setup.ts', 'integrations/mattermost/mattermost-doctor.ts', 'integrations/mattermost/mattermost-events.ts', 'temporal/tracing.ts', 'api/app.ts'])(
  '%s loads under Node with tsx',
  async (module) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', `await import('./${module}'); console.log('loaded');`], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe('loaded');
  },
  60_000,
);
