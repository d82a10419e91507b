import { describe, expect, it } from 'vitest';
import { incidentChannelDisplayName, slugify } from '../../domain/channel-name.js';
import { channelNameFromTemplate } from '../../domain/playbook/templates.js';
import { DEFAULT_CHANNEL_NAME_TEMPLATE } from '../../domain/playbook/defaults.js';

const name = (id: string, incidentName: string, template = DEFAULT_CHANNEL_NAME_TEMPLATE, seq: number | string = id) =>
  channelNameFromTemplate(template, { id, seq, date: '2026-11-27', slug: slugify(incidentName), severity: 'sev1' });

describe('incident channel names', () => {
  it('follow Mattermost rules: lower case, letters, digits and dashes, at most 64', () => {
    expect(name('abc123', 'Checkout is DOWN!!')).toBe('incident-abc123-checkout-is-down');
    expect(name('abc123', 'Zürich café ☕ outage')).toBe('incident-abc123-zurich-cafe-outage');
    const long = name('abc123', 'a very long incident name '.repeat(10));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
  });

  it('keep the incident ID, so a retry finds the same channel', () => {
    expect(name('x1y2z3', '!!!')).toBe('incident-x1y2z3');
    expect(name('x1y2z3', 'Same')).toBe(name('x1y2z3', 'Same'));
  });

  it("fill the playbook's template with the team's incident number, date and severity", () => {
    expect(name('abc123', 'DB down', 'inc-{{seq}}-{{date}}-{{severity}}-{{slug}}', 42)).toBe('inc-42-2026-11-27-sev1-db-down');
  });

  it('shorten display names to 64 characters', () => {
    expect(incidentChannelDisplayName('  Many   spaces  ')).toBe('Many spaces');
    expect(incidentChannelDisplayName('x'.repeat(100))).toHaveLength(64);
    expect(slugify('--A__b--')).toBe('a-b');
  });
});
