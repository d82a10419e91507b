/**
 * The whole product for a browser test, wired the way `npm start` wires it: the sandboxes (Mattermost with a trusted
 * OAuth app for the web app's callback), the API with the Mattermost front door, the playbook store and the web app
 * built by the real build, a worker, on the run's Temporal dev server. Sign-in goes through the sandbox's own authorize page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken, parseApiTokens, tokenEntry } from '../../../api/auth/api-tokens.js';
import { createMattermostSignIn } from '../../../integrations/mattermost/oauth-sign-in.js';
import { createSandboxSignInApp } from '../../../sandbox/mattermost/index.js';
import { buildWeb } from '../../../scripts/build-web.js';
import type { Playbook } from '../../../domain/playbook/schema.js';
import { openDatabase } from '../../../store/database.js';
import { loadPlaybookDirectory } from '../../../store/playbook-files.js';
import { lookupFromStore } from '../../../store/playbook-lookup.js';
import { PlaybookRepository } from '../../../store/playbook-repository.js';
import { seedPlaybooksOnFirstRun } from '../../../store/seed-playbooks.js';
import { startChatStack, type ChatStack } from '../../helpers/chat-stack.js';

export interface WebStack extends ChatStack {
  /** The web app's address: `${api}/app/`. */
  appUrl: string;
  /** An API token with the write scope, named "ops", for the token sign-in. */
  opsToken: string;
}

export const ACTION_SECRET = 'browser-tests-action-secret-0123456789';

export async function startWebStack(name: string): Promise<WebStack> {
  const webRoot = mkdtempSync(join(tmpdir(), 'web-build-'));
  await buildWeb({ outdir: webRoot, minify: true, sourcemap: false });
  // The playbooks in a store, as npm start keeps them (seeded with the shipped ones): the playbook pages edit them.
  const dataDirectory = mkdtempSync(join(tmpdir(), 'web-stack-'));
  const playbookDatabase = await openDatabase({ url: `sqlite:${join(dataDirectory, 'playbooks.sqlite')}` });
  const playbookStore = new PlaybookRepository<Playbook>(playbookDatabase.db);
  await seedPlaybooksOnFirstRun(playbookStore, loadPlaybookDirectory(new URL('../../../playbooks', import.meta.url).pathname));
  const opsToken = generateToken();
  const stack = await startChatStack({
    name,
    withPublicUrl: true,
    playbooks: lookupFromStore(playbookStore),
    playbookStore,
    listenToEvents: true,
    mattermost: { commandTokens: ['browser-command-token'], admins: ['carol'], actionSecret: ACTION_SECRET, commandTimeoutMs: 15_000, taskCommandsAllowed: ['/zoom'] },
    apiTokens: parseApiTokens(tokenEntry('ops', 'write', opsToken)).tokens,
    web: async ({ sandboxes, apiUrl }) => {
      const app = await createSandboxSignInApp(sandboxes.urls.mattermost, `${apiUrl}/app/auth/callback`);
      return {
        root: webRoot,
        sessionSecret: 'browser-tests-session-secret-0123456789',
        mattermostSignIn: createMattermostSignIn({ url: sandboxes.urls.mattermost, clientId: app.clientId, clientSecret: app.clientSecret }),
      };
    },
  });
  return {
    ...stack,
    appUrl: `${stack.api.url}/app/`,
    opsToken,
    async stop() {
      await stack.stop();
      await playbookDatabase.close();
      rmSync(webRoot, { recursive: true, force: true });
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}
