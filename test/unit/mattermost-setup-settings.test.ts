/**
 * The server settings `npm run mattermost:setup` reports as still missing (integrations/mattermost/mattermost-setup.ts);
 * the rest of the setup runs against a real Mattermost in test/contract/mattermost/.
 */
import { describe, expect, it } from 'vitest';
import { missingSettings } from '../../integrations/mattermost/mattermost-setup.js';

const ready = {
  EnableBotAccountCreation: true,
  EnableUserAccessTokens: true,
  EnableCommands: true,
  EnableOAuthServiceProvider: true,
  AllowedUntrustedInternalConnections: '',
};

describe('mattermost:setup settings', () => {
  it('finds nothing missing on a ready server with a public product address', () => {
    expect(missingSettings(ready, 'https://incidents.example.com')).toEqual([]);
  });

  it('names the OAuth 2.0 service provider, where to turn it on, when sign-in with Mattermost cannot work', () => {
    expect(missingSettings({ ...ready, EnableOAuthServiceProvider: false }, 'https://incidents.example.com')).toEqual([
      'System Console › Integrations: turn on the OAuth 2.0 service provider (the web app\'s "Sign in with Mattermost") (ServiceSettings.EnableOAuthServiceProvider)',
    ]);
  });

  it('lists every setting that is off, and a private product address Mattermost may not call', () => {
    const missing = missingSettings({ AllowedUntrustedInternalConnections: 'localhost' }, 'http://127.0.0.1:8080');
    expect(missing.map((line) => /ServiceSettings\.(\w+)/.exec(line)?.[1])).toEqual([
      'EnableBotAccountCreation',
      'EnableUserAccessTokens',
      'EnableCommands',
      'EnableOAuthServiceProvider',
      'AllowedUntrustedInternalConnections',
    ]);
    expect(missingSettings({ ...ready, AllowedUntrustedInternalConnections: 'localhost 127.0.0.1' }, 'http://127.0.0.1:8080')).toEqual([]);
  });
});
