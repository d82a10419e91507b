/** Values in a playbook: durations, the placeholders each template accepts, and channel names from a name template. */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../domain/duration.js';
import { channelNameFromTemplate } from '../../domain/playbook/templates.js';
import { PLAYBOOK_TEMPLATE_PLACEHOLDERS } from '../../domain/playbook/vocabulary.js';

describe('durations, placeholders and channel names', () => {
  it('parses durations and writes them back', () => {
    expect(['30m', '2h', '1d', '1h30m', '1d 2h', ' 45m ', 'soon', '30', '30s', '', '1m30h'].map(parseDuration)).toEqual([
      1_800_000, 7_200_000, 86_400_000, 5_400_000, 93_600_000, 2_700_000, undefined, undefined, undefined, undefined, undefined,
    ]);
    expect([60_000, 5_400_000, 86_400_000, 90_000_000].map(formatDuration)).toEqual(['1m', '1h30m', '1d', '1d1h']);
  });

  it('names the placeholders each template accepts', () => {
    expect(PLAYBOOK_TEMPLATE_PLACEHOLDERS['channel.nameTemplate']).toEqual(['id', 'seq', 'date', 'slug', 'severity']);
    expect(Object.keys(PLAYBOOK_TEMPLATE_PLACEHOLDERS).sort()).toEqual([
      'channel.headerTemplate',
      'channel.nameTemplate',
      'channel.purposeTemplate',
      'retrospective.template',
      'statusUpdates.template',
      'welcomeMessage',
    ]);
  });

  it('fills a channel name template within 64 characters, shortening the slug', () => {
    const values = { id: 'inc-4f2a', seq: 42, date: '2026-03-01', slug: 'checkout-is-down-for-everyone-in-every-region-of-the-world', severity: 'sev1' };
    // 18 characters before the slug leave 46 for it; the "-" it would end on is dropped.
    expect(channelNameFromTemplate('incident-{{id}}-{{slug}}', values)).toBe('incident-inc-4f2a-checkout-is-down-for-everyone-in-every-region');
    expect(channelNameFromTemplate('incident-{{id}}-{{slug}}', { ...values, slug: 'x'.repeat(80) })).toHaveLength(64);
    expect(channelNameFromTemplate('{{date}}-{{seq}}-{{slug}}', { ...values, slug: '' })).toBe('2026-03-01-42');
  });
});
