/**
 * The post-mortem export, rendered piece by piece: what the incident record says (summary, metrics, links, status
 * updates, timeline, checklists, retrospective) and the channel's conversation, one post at a time, so a channel of any
 * size streams through in bounded memory. Three formats:
 *
 * - Markdown: a draft post-mortem a person edits, with the conversation as its last section;
 * - CSV: exactly the columns of Mattermost's channel export, so the file opens in the tools people already use for it;
 * - JSON: `{ incident, metrics, checklists, statusUpdates, timeline, posts: [...] }` for tooling.
 *
 * Pure code (no I/O, no clock: callers pass `now`); exports/postmortem-export.ts does the paging and the writing.
 */
import type { IncidentTask, IncidentView, TaskState } from '../domain/incident.js';

export const POSTMORTEM_FORMATS = ['markdown', 'json', 'csv'] as const;
export type PostmortemFormat = (typeof POSTMORTEM_FORMATS)[number];

export const POSTMORTEM_FILE_TYPES: Record<PostmortemFormat, { extension: string; contentType: string }> = {
  markdown: { extension: 'md', contentType: 'text/markdown; charset=utf-8' },
  json: { extension: 'json', contentType: 'application/json' },
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8' },
};

export function postmortemFileName(incidentId: string, format: PostmortemFormat): string {
  return `incident-${incidentId}-postmortem.${POSTMORTEM_FILE_TYPES[format].extension}`;
}

/** One post of the conversation; the chat port's ChannelPost is this shape. */
export interface ConversationPost {
  id: string;
  /** Milliseconds since the epoch. */
  createAt: number;
  userId: string;
  /** The thread's root post, or '' for a post that starts a thread. */
  rootId: string;
  message: string;
  /** '' for a plain message; Mattermost's system types ('system_join_channel'…) otherwise. */
  type: string;
}

/** Who wrote a post; undefined when the chat no longer knows the user. */
export interface ConversationAuthor {
  id: string;
  username: string;
  email: string;
  type: 'user' | 'bot';
}

// ---------------------------------------------------------------------------------------------------------------------
// What the record says, computed once for every format

export type TaskOutcome = 'done' | 'skipped' | 'open';

export interface TaskReport {
  /** As the checklist post numbers it: "2.3". */
  number: string;
  id: string;
  title: string;
  outcome: TaskOutcome;
  /** The task was being worked on when the export was made (outcome "open"). */
  inProgress: boolean;
  /** Who finished (or skipped) it, and when; absent for open tasks. */
  by?: string;
  at?: string;
  assignee?: string;
  dueAt?: string;
  /** Open past its due time (at the incident's close, or at the export for an incident not closed). */
  overdue: boolean;
  /** Done or skipped after its due time. */
  late: boolean;
}

export interface ChecklistReport {
  number: number;
  id: string;
  title: string;
  tasks: TaskReport[];
}

export interface PostmortemMetrics {
  timeToAcknowledgeMs?: number;
  timeToResolveMs?: number;
  /** Reported to closed. */
  timeToCloseMs?: number;
  tasks: { total: number; done: number; skipped: number; open: number; overdue: number };
  statusUpdates: number;
  /** Events in the record, including those dropped from the workflow's state. */
  timelineEvents: number;
}

const OUTCOME_OF: Record<TaskState, TaskOutcome> = { done: 'done', skipped: 'skipped', open: 'open', in_progress: 'open' };

/** Open tasks count as overdue against the close time, or against `now` while the incident is not closed. */
function overdueReference(view: IncidentView, now: string): number {
  return Date.parse(view.closedAt ?? now);
}

function taskReport(task: IncidentTask, number: string, reference: number): TaskReport {
  const outcome = OUTCOME_OF[task.state];
  const due = task.dueAt ? Date.parse(task.dueAt) : undefined;
  const finishedAt = outcome !== 'open' && task.stateChangedAt ? Date.parse(task.stateChangedAt) : undefined;
  return {
    number,
    id: task.id,
    title: task.title,
    outcome,
    inProgress: task.state === 'in_progress',
    ...(outcome !== 'open' && task.stateChangedBy ? { by: task.stateChangedBy } : {}),
    ...(outcome !== 'open' && task.stateChangedAt ? { at: task.stateChangedAt } : {}),
    ...(task.assignee ? { assignee: task.assignee } : {}),
    ...(task.dueAt ? { dueAt: task.dueAt } : {}),
    overdue: outcome === 'open' && due !== undefined && due < reference,
    late: due !== undefined && finishedAt !== undefined && finishedAt > due,
  };
}

export function checklistReports(view: IncidentView, now: string): ChecklistReport[] {
  const reference = overdueReference(view, now);
  return view.checklists.map((checklist, c) => ({
    number: c + 1,
    id: checklist.id,
    title: checklist.title,
    tasks: checklist.tasks.map((task, t) => taskReport(task, `${c + 1}.${t + 1}`, reference)),
  }));
}

export function postmortemMetrics(view: IncidentView, now: string): PostmortemMetrics {
  const tasks = checklistReports(view, now).flatMap((checklist) => checklist.tasks);
  const count = (outcome: TaskOutcome) => tasks.filter((task) => task.outcome === outcome).length;
  const reported = Date.parse(view.reportedAt);
  return {
    ...(view.timeToAcknowledgeMs !== undefined ? { timeToAcknowledgeMs: view.timeToAcknowledgeMs } : {}),
    ...(view.timeToResolveMs !== undefined ? { timeToResolveMs: view.timeToResolveMs } : {}),
    ...(view.closedAt ? { timeToCloseMs: Date.parse(view.closedAt) - reported } : {}),
    tasks: { total: tasks.length, done: count('done'), skipped: count('skipped'), open: count('open'), overdue: tasks.filter((task) => task.overdue).length },
    statusUpdates: view.statusUpdates.at(-1)?.number ?? 0,
    timelineEvents: view.timelineDropped + view.timeline.length,
  };
}

/**
 * The retrospective's text, read through a narrow local type: views recorded before retrospectives existed have no such
 * field, and a view that crossed a JSON boundary is trusted no further than this.
 */
function retrospectiveOf(view: IncidentView): { text: string; status?: string } | undefined {
  const retrospective = (view as { retrospective?: { text?: unknown; status?: unknown } }).retrospective;
  if (typeof retrospective?.text !== 'string' || retrospective.text.trim() === '') return undefined;
  return { text: retrospective.text, ...(typeof retrospective.status === 'string' ? { status: retrospective.status } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Human units

/** "45 s", "12 min", "1 h 23 min", "2 d 3 h": how long, the way a reader says it. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "2024-06-10 14:03 UTC" (ISO in, a reader's form out; the report says UTC everywhere rather than guess a zone). */
function minuteTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—';
}

function secondTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Markdown

/** A table cell: pipes would end the cell and newlines the row. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** For text set in emphasis: its own * _ ` \ would close the emphasis early. */
function escapeInline(text: string): string {
  return text.replace(/([\\`*_[\]])/g, '\\$1');
}

const user = (name: string | undefined): string => (name ? `@${name}` : '—');

function incidentTitle(view: IncidentView): string {
  return `Incident ${view.number !== undefined ? `#${view.number} ` : ''}(${view.id}): ${view.name}`;
}

const OUTCOME_LABEL: Record<TaskOutcome, string> = { done: '✅ done', skipped: '⏭️ skipped', open: '⬜ open' };

/**
 * Everything before the conversation: title, summary table, links, status updates, timeline, checklists, retrospective,
 * and the Conversation heading. `now` is when the export is made (it decides whether open tasks are overdue).
 */
export function markdownReportHead(view: IncidentView, now: string): string {
  const metrics = postmortemMetrics(view, now);
  const out: string[] = [];
  out.push(`# Post-mortem: ${incidentTitle(view)}`, '');
  out.push(`> Draft generated from the incident record and its channel on ${minuteTime(now)}. Times are UTC.`, '');
  if (view.summary.trim()) out.push(view.summary.trim(), '');

  const { tasks } = metrics;
  const rows: Array<[string, string]> = [
    ['Status', view.status],
    ['Severity', view.severity],
    ['Commander', user(view.commander)],
    ['Reporter', user(view.reporter)],
    ['Team', view.team],
    ['Playbook', `${view.playbook.title} (${view.playbook.id}, version ${view.playbook.version})`],
    ['Reported', minuteTime(view.reportedAt)],
    ['Acknowledged', minuteTime(view.acknowledgedAt)],
    ['Resolved', minuteTime(view.resolvedAt)],
    ['Closed', minuteTime(view.closedAt)],
    ['Time to acknowledge', metrics.timeToAcknowledgeMs !== undefined ? humanDuration(metrics.timeToAcknowledgeMs) : 'not acknowledged'],
    ['Time to resolve', metrics.timeToResolveMs !== undefined ? humanDuration(metrics.timeToResolveMs) : 'not resolved'],
    ...(metrics.timeToCloseMs !== undefined ? [['Time to close', humanDuration(metrics.timeToCloseMs)] as [string, string]] : []),
    ['Tasks', `${tasks.done} done, ${tasks.skipped} skipped, ${tasks.open} open of ${tasks.total}${tasks.overdue ? ` (${tasks.overdue} overdue)` : ''}`],
    ['Status updates', String(metrics.statusUpdates)],
  ];
  out.push('## Summary', '', '| | |', '|---|---|', ...rows.map(([name, value]) => `| ${name} | ${cell(value)} |`), '');

  const { links } = view;
  const linkLines = [
    links.channelUrl ? `- Channel: [${links.channelName ? `~${links.channelName}` : 'incident channel'}](${links.channelUrl})` : undefined,
    links.ticketUrl ? `- Jira: [${links.ticketKey ?? 'ticket'}](${links.ticketUrl})` : links.ticketKey ? `- Jira: ${links.ticketKey}` : undefined,
    links.meetingUrl ? `- Zoom: ${links.meetingUrl}` : undefined,
  ].filter((line): line is string => line !== undefined);
  out.push('## Links', '', ...(linkLines.length ? linkLines : ['_None._']), '');

  out.push('## Status updates', '');
  if (view.statusUpdates.length === 0) out.push('_None._', '');
  for (const update of view.statusUpdates) {
    out.push(`### Update ${update.number}: ${minuteTime(update.at)} by ${user(update.author)}`, '', closeFences(update.message.trim()), '');
  }

  out.push('## Timeline', '');
  if (view.timelineDropped > 0) {
    out.push(`_The ${view.timelineDropped} earliest events are not in the incident's state any more; the list starts at event ${view.timelineDropped + 1}._`, '');
  }
  if (view.timeline.length === 0) {
    out.push('_No events._', '');
  } else {
    out.push('| Time (UTC) | Actor | Event | What happened |', '|---|---|---|---|');
    for (const event of view.timeline) {
      out.push(`| ${secondTime(event.at)} | ${cell(user(event.actor))} | ${event.kind.replace(/_/g, ' ')} | ${cell(event.text)} |`);
    }
    out.push('');
  }

  out.push('## Checklists', '');
  const checklists = checklistReports(view, now);
  if (checklists.length === 0) out.push('_No checklists._', '');
  for (const checklist of checklists) {
    out.push(`### ${checklist.number}. ${checklist.title}`, '');
    if (checklist.tasks.length === 0) {
      out.push('_No tasks._', '');
      continue;
    }
    out.push('| # | Task | Outcome | By | When | Assignee | Due |', '|---|---|---|---|---|---|---|');
    for (const task of checklist.tasks) {
      const outcome = `${OUTCOME_LABEL[task.outcome]}${task.inProgress ? ' (in progress)' : ''}`;
      const due = task.dueAt ? `${minuteTime(task.dueAt)}${task.overdue ? ' **overdue**' : task.late ? ' (late)' : ''}` : '—';
      out.push(`| ${task.number} | ${cell(task.title)} | ${outcome} | ${cell(user(task.by))} | ${minuteTime(task.at)} | ${cell(user(task.assignee))} | ${due} |`);
    }
    out.push('');
  }

  const retrospective = retrospectiveOf(view);
  if (retrospective) {
    out.push(`## Retrospective${retrospective.status ? ` (${retrospective.status})` : ''}`, '', closeFences(retrospective.text.trim()), '');
  }

  out.push('## Conversation', '');
  return out.join('\n') + '\n';
}

/**
 * Renders the conversation one post at a time (oldest first), with a heading whenever the day changes. Root posts are
 * paragraphs; replies are quoted and marked, so a reader sees the thread structure without the posts being regrouped
 * (which would need the whole channel in memory). System messages are in italics.
 */
export function markdownConversation(): { post(post: ConversationPost, author: ConversationAuthor | undefined): string; end(count: number): string } {
  let day = '';
  return {
    post(post, author) {
      const at = new Date(post.createAt).toISOString();
      const parts: string[] = [];
      if (at.slice(0, 10) !== day) {
        day = at.slice(0, 10);
        parts.push(`### ${day}`, '');
      }
      const time = at.slice(11, 19);
      const who = author ? `@${author.username}${author.type === 'bot' ? ' (bot)' : ''}` : `unknown user ${post.userId}`;
      if (post.type) {
        // One line: emphasis does not span paragraphs.
        const text = post.message.replace(/\s+/g, ' ').trim() || post.type;
        parts.push(`*${time} · ${escapeInline(who)} · ${escapeInline(text)}*`, '');
      } else if (post.rootId) {
        const body = closeFences(post.message).split('\n').map((line) => (line ? `> ${line}` : '>'));
        parts.push(`> ↳ **${time} ${escapeInline(who)}** (reply in thread)`, '>', ...body, '');
      } else {
        parts.push(`**${time} ${escapeInline(who)}**`, '', closeFences(post.message) || '_(no text)_', '');
      }
      return parts.join('\n') + '\n';
    },
    end(count) {
      return count === 0 ? '_No messages in the channel._\n' : `---\n\n_${count.toLocaleString('en-US')} ${count === 1 ? 'post' : 'posts'} in the channel._\n`;
    },
  };
}

/** A message with an unclosed code fence would turn the rest of the document into code. */
function closeFences(text: string): string {
  const fences = text.split('\n').filter((line) => /^\s{0,3}(```|~~~)/.test(line)).length;
  return fences % 2 === 1 ? `${text}\n\`\`\`` : text;
}

// ---------------------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/** The columns of Mattermost's channel export (mattermost-plugin-channel-export), in its order. */
export const CSV_COLUMNS = [
  'Post Creation Time',
  'User Id',
  'User Email',
  'User Type',
  'User Name',
  'Post Id',
  'Parent Post Id',
  'Post Message',
  'Post Type',
] as const;

/**
 * One field. A spreadsheet opening the file treats a cell that starts with = + - @ (or a tab or carriage return, which
 * some also strip) as a formula, so a chat message like `=HYPERLINK("http://evil","click")` would run when someone opens
 * the export (CSV injection). A leading `'` makes it text again, which is what OWASP recommends. Then RFC 4180 quoting:
 * a field with a comma, quote or line break is quoted, its quotes doubled.
 */
export function csvField(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** A record, ended with CRLF as RFC 4180 asks. */
export function csvRecord(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function csvHeader(): string {
  return csvRecord(CSV_COLUMNS);
}

/**
 * Times are ISO 8601 in UTC (Mattermost's plugin writes Go's time.String(), which spreadsheets do not parse); user and
 * post types follow the plugin: a system message's user type is "system", a plain post's type is "message".
 */
export function csvPost(post: ConversationPost, author: ConversationAuthor | undefined): string {
  return csvRecord([
    new Date(post.createAt).toISOString(),
    post.userId,
    author?.email ?? '',
    post.type ? 'system' : (author?.type ?? 'user'),
    author?.username ?? '',
    post.id,
    post.rootId,
    post.message,
    post.type || 'message',
  ]);
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON

export interface JsonPost {
  id: string;
  /** ISO 8601, UTC. */
  at: string;
  createAt: number;
  userId: string;
  username?: string;
  email?: string;
  userType: 'user' | 'bot' | 'system';
  rootId: string;
  message: string;
  type: string;
}

/** `{"incident":…,"metrics":…,"checklists":…,"statusUpdates":…,"timeline":…,"posts":[` — the posts follow one by one. */
export function jsonReportHead(view: IncidentView, now: string): string {
  return (
    `{"generatedAt":${JSON.stringify(now)}` +
    `,\n"incident":${JSON.stringify(view)}` +
    `,\n"metrics":${JSON.stringify(postmortemMetrics(view, now))}` +
    `,\n"checklists":${JSON.stringify(checklistReports(view, now))}` +
    `,\n"statusUpdates":${JSON.stringify(view.statusUpdates)}` +
    `,\n"timeline":${JSON.stringify(view.timeline)}` +
    `,\n"retrospective":${JSON.stringify(retrospectiveOf(view) ?? null)}` +
    `,\n"posts":[`
  );
}

/** One element of the posts array; `index` from 0 (every element but the first starts with a comma). */
export function jsonPost(post: ConversationPost, author: ConversationAuthor | undefined, index: number): string {
  const element: JsonPost = {
    id: post.id,
    at: new Date(post.createAt).toISOString(),
    createAt: post.createAt,
    userId: post.userId,
    ...(author ? { username: author.username, email: author.email } : {}),
    userType: post.type ? 'system' : (author?.type ?? 'user'),
    rootId: post.rootId,
    message: post.message,
    type: post.type,
  };
  return `${index === 0 ? '\n' : ',\n'}${JSON.stringify(element)}`;
}

export function jsonReportTail(): string {
  return '\n]}\n';
}
