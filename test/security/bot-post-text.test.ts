/**
 * What people write that the bot shows to everyone: an incident's name and a task's title are one line (a line break
 * could draw a forged task line in the pinned checklist), control characters and text-direction overrides are
 * refused, a name is plain text in the post (no image, link or heading drawn by it) and no title or name pings the
 * channel through the bot; an actor is never a special mention. Alerts' names are made one line rather than refused.
 */
import { describe, expect, it } from 'vitest';
import { checkIncomingCommand, toOneLine } from '../../domain/command-intake.js';
import { executeCommand } from '../../domain/commands.js';
import { createIncidentState } from '../../domain/incident.js';
import { parseNewIncident } from '../../domain/new-incident.js';
import { renderChecklistPost } from '../../formats/checklist-message.js';
import { refusal } from '../helpers/refusal.js';

const NOW = '2026-12-02T10:00:00.000Z';

function incidentNamed(name: string) {
  return createIncidentState(
    parseNewIncident({ id: 'inc-1', name, team: 'shop', reporter: 'alice', playbook: { id: 'p', title: 'P', checklists: [{ title: 'Triage', tasks: [{ title: 'Page @channel now' }] }] } }),
    NOW,
  );
}

describe('text the bot posts', () => {
  it('refuses a name or task title that is not one line, naming the field', () => {
    for (const name of ['Checkout\ndown', 'Checkout\r\n### Heading', 'tab\there', 'bell\u0007', 'gnp.exe\u202Egnp', 'isolate\u2066x\u2069']) {
      expect(refusal(() => checkIncomingCommand('start', { name }))).toMatchObject({
        code: 'invalid_input',
        problems: ['name: must be one line: no line breaks, tabs, control characters or text-direction overrides'],
      });
    }
    expect(refusal(() => checkIncomingCommand('addTask', { checklist: '1', title: 'real task\n:white_check_mark: **1.9** ~~Forged~~' }))).toMatchObject({
      problems: ['title: must be one line: no line breaks, tabs, control characters or text-direction overrides'],
    });
    // Unicode text, emoji and right-to-left scripts are names like any other.
    expect(() => checkIncomingCommand('start', { name: 'Checkout 🔥 für alle שלום' })).not.toThrow();
    // A note and a status update may have many lines.
    expect(() => checkIncomingCommand('addNote', { text: 'one\ntwo' })).not.toThrow();
  });

  it('never takes a special mention as the actor', () => {
    for (const actor of ['all', '@here', 'Channel']) {
      expect(refusal(() => checkIncomingCommand('postStatusUpdate', { message: 'hi', actor }))?.problems).toEqual([
        `actor: "${actor}" is a Mattermost special mention (@all, @channel, @here), not a person`,
      ]);
    }
  });

  it('shows a name as plain text with no special mention, and titles without pinging the channel', () => {
    const post = renderChecklistPost(incidentNamed('@all ![px](http://169.254.169.254/x.png) [click](http://evil.example) **urgent** #1'));
    const heading = post.message.split('\n')[0]!;
    expect(heading).toBe('#### :clipboard: @\u200ball \\!\\[px\\]\\(http://169.254.169.254/x.png\\) \\[click\\]\\(http://evil.example\\) \\*\\*urgent\\*\\* \\#1');
    expect(post.attachments[0]!.text).toContain('Page @\u200bchannel now');
    const state = incidentNamed('Checkout down');
    executeCommand(state, 'addTask', { checklist: '1', title: 'Ask @here for `kubectl` output', actor: 'alice' }, NOW);
    // A title keeps its Markdown (playbooks put commands in backticks).
    expect(renderChecklistPost(state).attachments[0]!.text).toContain('Ask @\u200bhere for `kubectl` output');
  });

  it('makes an alert\'s name one line instead of refusing it', () => {
    expect(toOneLine('Disk full\r\non db-1\t(\u202Eevil)')).toBe('Disk full on db-1 ( evil)');
  });
});
