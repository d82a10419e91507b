import { describe, expect, it } from 'vitest';
import { incidentChannelDisplayName, incidentChannelName, slugify } from '../../domain/channel-name.js';

describe('incident channel names', () => {
  it('follow Mattermost rules: lower case, letters, digits and dashes, at most 64', () => {
    expect(incidentChannelName('abc123', 'Checkout is DOWN!!')).toBe('incident-abc123-checkout-is-down');
    expect(incidentChannelName('abc123', 'Zürich café ☕ outage')).toBe('incident-abc123-zurich-cafe-outage');
    const long = incidentChannelName('abc123', 'a very long incident name '.repeat(10));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
  });

  it('keep the incident ID, so a retry finds the same channel', () => {
    expect(incidentChannelName('x1y2z3', '!!!')).toBe('incident-x1y2z3');
    expect(incidentChannelName('x1y2z3', 'Same')).toBe(incidentChannelName('x1y2z3', 'Same'));
  });

  it('shorten display names to 64 characters', () => {
    expect(incidentChannelDisplayName('  Many   spaces  ')).toBe('Many spaces');
    expect(incidentChannelDisplayName('x'.repeat(100))).toHaveLength(64);
    expect(slugify('--A__b--')).toBe('a-b');
  });
});
