/**
 * What the launch's channel header waits for (workflows/channel-header.ts headerWaitsFor): the steps whose outcome it
 * shows, the on-call lookup only when that decides the commander the header shows.
 */
import { describe, expect, it } from 'vitest';
import { createIncidentState } from '../../domain/incident.js';
import { checkIncidentStart, prepareIncidentStart } from '../../domain/new-incident.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { headerWaitsFor } from '../../workflows/channel-header.js';

function stateWith(playbook: Partial<PlaybookDefinition>) {
  const start = checkIncidentStart(
    prepareIncidentStart({ id: 'hdr1', name: 'Checkout is down', team: 'shop', reporter: 'alice', playbook: { id: 'p', title: 'P', ...playbook } }),
  );
  return createIncidentState(start, '2026-12-01T00:00:00.000Z');
}

describe('headerWaitsFor', () => {
  it('waits for the ticket and the bridge only, when the reporter (or a named user) commands', () => {
    expect(headerWaitsFor(stateWith({}))).toEqual(['ticket', 'meeting']);
    expect(headerWaitsFor(stateWith({ defaultCommander: '@bob' }))).toEqual(['ticket', 'meeting']);
  });

  it('waits for the on-call lookup too when it names the commander and the header shows the commander', () => {
    expect(headerWaitsFor(stateWith({ defaultCommander: 'oncall' }))).toEqual(['ticket', 'meeting', 'oncall']);
    expect(headerWaitsFor(stateWith({ defaultCommander: 'oncall', channel: { headerTemplate: '{{severity}} · commander {{commander}}' } }))).toEqual([
      'ticket',
      'meeting',
      'oncall',
    ]);
  });

  it('does not wait for the on-call lookup when the header template leaves the commander out', () => {
    expect(headerWaitsFor(stateWith({ defaultCommander: 'oncall', channel: { headerTemplate: '{{severity}} · Jira {{ticket}}' } }))).toEqual(['ticket', 'meeting']);
  });
});
