/**
 * The Mattermost sandbox's authentication: the static token map, and the bearer scheme in any case. Shared set-up in
 * harness.ts.
 */
import { describe, expect, it } from 'vitest';
import { clientFor, failure, sandbox, useMattermostSandbox } from './harness.js';

useMattermostSandbox();

describe('Mattermost sandbox: auth', () => {
  it('rejects a missing or unknown token with a 401 AppError', async () => {
    const missing = await failure(clientFor().getMe());
    expect(missing.status_code).toBe(401);
    expect(missing.server_error_id).toBe('api.context.session_expired.app_error');
    expect((await failure(clientFor('wrong-token').getMe())).status_code).toBe(401);
  });

  it('accepts the bearer scheme in any case', async () => {
    const response = await fetch(`${sandbox.server.url}/api/v4/users/me`, { headers: { authorization: 'bearer alice-token' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { username: string }).username).toBe('alice');
  });
});
