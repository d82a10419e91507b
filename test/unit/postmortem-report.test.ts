/** The post-mortem renderings from a hand-set incident: CSV quoting and the formula guard, Markdown sections, JSON. */
import { describe, expect, it } from 'vitest';
import {
  CSV_COLUMNS,
  csvField,
  csvHeader,
  csvPost,
  humanDuration,
  jsonPost,
  jsonReportHead,
  jsonReportTail,
  markdownConversation,
  markdownReportHead,
  postmortemFileName,
  postmortemMetrics,
  type ConversationAuthor,
  type ConversationPost,
} from '../../formats/postmortem-report.js';
import { parseCsv, resolvedIncidentView } from '../helpers/postmortem-fixtures.js';

const NOW = '2026-03-02T11:00:00.000Z';
const alice: ConversationAuthor = { id: 'u-alice', username: 'alice', email: 'alice@example.com', type: 'user' };
const bot: ConversationAuthor = { id: 'u-bot', username: 'incident-bot', email: '', type: 'bot' };
const post = (overrides: Partial<ConversationPost> = {}): ConversationPost => ({
  id: 'p1',
  createAt: Date.parse('2026-03-02T09:01:02.345Z'),
  userId: 'u-alice',
  rootId: '',
  message: 'hello',
  type: '',
  ...overrides,
});

describe('CSV', () => {
  it('quotes fields with commas, quotes and line breaks (quotes doubled) and leaves others bare', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('')).toBe('');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('she said "no"')).toBe('"she said ""no"""');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('line 1\r\nline 2')).toBe('"line 1\r\nline 2"');
  });

  it('turns cells a spreadsheet would run as formulas into text', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvField('\tindented')).toBe("'\tindented");
    // Guarded, then quoted: the prefix goes inside the quotes.
    expect(csvField('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    // Only a leading sign matters.
    expect(csvField('a=b, c-d')).toBe('"a=b, c-d"');
  });

  it('writes the columns of Mattermost\u2019s channel export, in order, with CRLF records', () => {
    expect(CSV_COLUMNS).toEqual(['Post Creation Time', 'User Id', 'User Email', 'User Type', 'User Name', 'Post Id', 'Parent Post Id', 'Post Message', 'Post Type']);
    expect(csvHeader()).toBe('Post Creation Time,User Id,User Email,User Type,User Name,Post Id,Parent Post Id,Post Message,Post Type\r\n');
  });

  it('writes a post per record the way the channel export does (message / system types, bots, unknown users)', () => {
    const text =
      csvHeader() +
      csvPost(post({ message: 'Rolled back, "v2" is\nback' }), alice) +
      csvPost(post({ id: 'p2', rootId: 'p1', userId: 'u-bot', message: 'Checklist updated' }), bot) +
      csvPost(post({ id: 'p3', type: 'system_join_channel', message: 'alice joined the channel.' }), alice) +
      csvPost(post({ id: 'p4', userId: 'u-gone', message: '-1 from me' }), undefined);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toHaveLength(9);
    expect(rows[1]).toEqual(['2026-03-02T09:01:02.345Z', 'u-alice', 'alice@example.com', 'user', 'alice', 'p1', '', 'Rolled back, "v2" is\nback', 'message']);
    expect(rows[2]).toEqual(['2026-03-02T09:01:02.345Z', 'u-bot', '', 'bot', 'incident-bot', 'p2', 'p1', 'Checklist updated', 'message']);
    expect(rows[3]!.slice(3)).toEqual(['system', 'alice', 'p3', '', 'alice joined the channel.', 'system_join_channel']);
    expect(rows[4]).toEqual(['2026-03-02T09:01:02.345Z', 'u-gone', '', 'user', '', 'p4', '', "'-1 from me", 'message']);
  });
});

describe('Markdown report', () => {
  const view = resolvedIncidentView();
  const head = markdownReportHead(view, NOW);
  const section = (title: string) => {
    const start = head.indexOf(`\n## ${title}\n`);
    expect(start, `section ${title}`).toBeGreaterThan(0);
    const end = head.indexOf('\n## ', start + 1);
    return head.slice(start, end === -1 ? undefined : end);
  };

  it('titles the draft with the incident number, id and name and keeps the summary', () => {
    expect(head.startsWith('# Post-mortem: Incident #42 (pm-7): Orders database down\n')).toBe(true);
    expect(head).toContain('Primary ran out of disk; failed over.');
  });

  it('has the sections in a post-mortem\u2019s order, the conversation last', () => {
    const order = ['Summary', 'Links', 'Status updates', 'Timeline', 'Checklists', 'Conversation'].map((title) => head.indexOf(`\n## ${title}\n`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(head.endsWith('## Conversation\n\n')).toBe(true);
    expect(head).not.toContain('## Retrospective');
  });

  it('summarises status, people, playbook, times and durations in human units', () => {
    const summary = section('Summary');
    for (const row of [
      '| Status | resolved |',
      '| Severity | sev1 |',
      '| Commander | @bob |',
      '| Reporter | @alice |',
      '| Team | shop |',
      '| Playbook | Database outage (db-outage, version 1) |',
      '| Reported | 2026-03-02 09:00 UTC |',
      '| Acknowledged | 2026-03-02 09:04 UTC |',
      '| Resolved | 2026-03-02 10:23 UTC |',
      '| Closed | — |',
      '| Time to acknowledge | 4 min |',
      '| Time to resolve | 1 h 23 min |',
      '| Tasks | 2 done, 1 skipped, 1 open of 4 (1 overdue) |',
      '| Status updates | 2 |',
    ]) {
      expect(summary).toContain(row);
    }
  });

  it('links the channel, the Jira issue and the Zoom bridge', () => {
    const links = section('Links');
    expect(links).toContain('- Channel: [~incident-pm-7-orders-database-down](http://chat.example.com/shop/channels/incident-pm-7-orders-database-down)');
    expect(links).toContain('- Jira: [OPS-12](http://jira.example.com/browse/OPS-12)');
    expect(links).toContain('- Zoom: https://zoom.example.com/j/123');
  });

  it('lists the status updates and the timeline (time, actor, kind, text; pipes escaped)', () => {
    const updates = section('Status updates');
    expect(updates).toContain('### Update 1: 2026-03-02 09:20 UTC by @bob\n\nPrimary is out of disk. Failing over.');
    expect(updates).toContain('### Update 2: 2026-03-02 10:20 UTC by @bob');
    const timeline = section('Timeline');
    expect(timeline).toContain('| Time (UTC) | Actor | Event | What happened |');
    expect(timeline).toContain('| 2026-03-02 09:00:00 | @alice | incident reported | Incident reported by @alice: Orders database down |');
    expect(timeline).toContain('| 2026-03-02 09:04:00 | @bob | status changed | Acknowledged \\| on it |');
  });

  it('gives each task its outcome, who and when, its assignee, and its due time with overdue or late', () => {
    const checklists = section('Checklists');
    expect(checklists).toContain('### 1. Triage');
    expect(checklists).toContain('| 1.1 | Acknowledge the page | ✅ done | @bob | 2026-03-02 09:04 UTC | — | — |');
    expect(checklists).toContain('| 1.2 | Assess impact \\| customers | ✅ done | @carol | 2026-03-02 09:45 UTC | @carol | 2026-03-02 09:30 UTC (late) |');
    expect(checklists).toContain('### 2. Fix');
    expect(checklists).toContain('| 2.1 | Fail over to the replica | ⏭️ skipped | @bob | 2026-03-02 10:00 UTC | @dave | 2026-03-02 10:00 UTC |');
    expect(checklists).toContain('| 2.2 | Tell support | ⬜ open | — | — | @erin | 2026-03-02 09:15 UTC **overdue** |');
  });

  it('judges overdue at the close for a closed incident, at the export otherwise', () => {
    const closedEarly = resolvedIncidentView({ status: 'closed', closedAt: '2026-03-02T09:10:00.000Z' });
    expect(postmortemMetrics(closedEarly, NOW)).toMatchObject({ tasks: { open: 1, overdue: 0 }, timeToCloseMs: 10 * 60_000 });
    expect(markdownReportHead(closedEarly, NOW)).toContain('| Time to close | 10 min |');
    expect(postmortemMetrics(view, '2026-03-02T09:10:00.000Z').tasks.overdue).toBe(0);
    expect(postmortemMetrics(view, NOW).tasks.overdue).toBe(1);
  });

  it('includes the retrospective when the incident has one', () => {
    const withRetro = { ...view, retrospective: { status: 'published', text: '## What went well\n- Fast failover', draftedAt: NOW, reminders: 0 } } as typeof view;
    const text = markdownReportHead(withRetro, NOW);
    expect(text).toContain('## Retrospective (published)\n\n## What went well\n- Fast failover\n');
    expect(text.indexOf('## Retrospective')).toBeLessThan(text.indexOf('## Conversation'));
    // A view without the field, or with something unexpected in it, has no such section.
    expect(markdownReportHead({ ...view, retrospective: { text: 42 } } as unknown as typeof view, NOW)).not.toContain('## Retrospective');
  });

  it('renders the conversation post by post: day headings, replies marked, system messages in italics', () => {
    const conversation = markdownConversation();
    const root = conversation.post(post({ message: 'DB is **down**' }), alice);
    expect(root).toBe('### 2026-03-02\n\n**09:01:02 @alice**\n\nDB is **down**\n\n');
    const reply = conversation.post(post({ id: 'p2', rootId: 'p1', createAt: Date.parse('2026-03-02T09:02:00Z'), message: 'on it\n\nlooking' }), bot);
    expect(reply).toBe('> ↳ **09:02:00 @incident-bot (bot)** (reply in thread)\n>\n> on it\n>\n> looking\n\n');
    const system = conversation.post(post({ id: 'p3', type: 'system_join_channel', createAt: Date.parse('2026-03-03T00:00:01Z'), message: 'john_doe joined the channel.' }), alice);
    expect(system).toBe('### 2026-03-03\n\n*00:00:01 · @alice · john\\_doe joined the channel.*\n\n');
    // An unclosed code fence is closed, so it cannot swallow the rest of the document.
    const fenced = conversation.post(post({ id: 'p4', createAt: Date.parse('2026-03-03T00:00:02Z'), message: '```\nstack trace' }), undefined);
    expect(fenced).toBe('**00:00:02 unknown user u-alice**\n\n```\nstack trace\n```\n\n');
    expect(conversation.end(4)).toContain('_4 posts in the channel._');
    expect(markdownConversation().end(0)).toBe('_No messages in the channel._\n');
  });
});

describe('JSON export', () => {
  it('is one JSON document: incident, metrics, checklists, status updates, timeline, then the posts', () => {
    const view = resolvedIncidentView();
    const text =
      jsonReportHead(view, NOW) + jsonPost(post(), alice, 0) + jsonPost(post({ id: 'p2', type: 'system_join_channel' }), undefined, 1) + jsonReportTail();
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['generatedAt', 'incident', 'metrics', 'checklists', 'statusUpdates', 'timeline', 'retrospective', 'posts']);
    expect(parsed.incident).toEqual(view);
    expect(parsed.metrics).toMatchObject({ timeToAcknowledgeMs: 240_000, timeToResolveMs: 4_980_000, tasks: { total: 4, done: 2, skipped: 1, open: 1, overdue: 1 }, statusUpdates: 2 });
    expect(parsed.checklists[1].tasks[1]).toMatchObject({ number: '2.2', outcome: 'open', assignee: 'erin', overdue: true });
    expect(parsed.posts).toEqual([
      { id: 'p1', at: '2026-03-02T09:01:02.345Z', createAt: Date.parse('2026-03-02T09:01:02.345Z'), userId: 'u-alice', username: 'alice', email: 'alice@example.com', userType: 'user', rootId: '', message: 'hello', type: '' },
      { id: 'p2', at: '2026-03-02T09:01:02.345Z', createAt: Date.parse('2026-03-02T09:01:02.345Z'), userId: 'u-alice', userType: 'system', rootId: '', message: 'hello', type: 'system_join_channel' },
    ]);
    expect(JSON.parse(jsonReportHead(view, NOW) + jsonReportTail()).posts).toEqual([]);
  });
});

describe('helpers', () => {
  it('says durations in human units', () => {
    expect(humanDuration(45_000)).toBe('45 s');
    expect(humanDuration(12 * 60_000)).toBe('12 min');
    expect(humanDuration(83 * 60_000)).toBe('1 h 23 min');
    expect(humanDuration(2 * 3_600_000)).toBe('2 h');
    expect(humanDuration(51 * 3_600_000)).toBe('2 d 3 h');
  });

  it('names the files after the incident', () => {
    expect(postmortemFileName('pm-7', 'markdown')).toBe('incident-pm-7-postmortem.md');
    expect(postmortemFileName('pm-7', 'csv')).toBe('incident-pm-7-postmortem.csv');
    expect(postmortemFileName('pm-7', 'json')).toBe('incident-pm-7-postmortem.json');
  });
});
