/**
 * The `/incident` slash command's grammar: what a person types after the trigger word, turned into one request, or into
 * an error that names the problem and shows the usage. Pure: the API decides what each request does.
 */
import { IncidentCommandError, messageOf } from '../../domain/errors.js';
import { FOLLOW_UP_KINDS } from '../../domain/follow-ups.js';
import { LAUNCH_STEPS } from '../../domain/launch-steps.js';
import type { TimelineEventKind } from '../../domain/timeline.js';
import { parseDuration } from '../../domain/duration.js';
import { parseTimelineKinds, TIMELINE_GROUPS } from '../../domain/timeline-filter.js';
import { USERNAME_PATTERN } from '../../domain/people.js';

/** Mattermost caps a slash command's text at 4,000 characters; longer text cannot come from a real client. */
export const MAX_COMMAND_TEXT = 4_000;

export type SlashRequest =
  | { kind: 'start'; playbook?: string; name?: string }
  | { kind: 'check' | 'uncheck'; taskId: string }
  | { kind: 'skip'; taskId: string; reason?: string }
  | { kind: 'assign'; taskId: string; assignee: string | null }
  | { kind: 'add'; checklist: string; title: string }
  | { kind: 'commander'; commander: string }
  | { kind: 'ack' | 'close' | 'info' | 'list' | 'playbooks' | 'help' }
  | { kind: 'timeline'; kinds: TimelineEventKind[] }
  | { kind: 'snooze'; for: string }
  | { kind: 'retro'; action: 'show' }
  | { kind: 'retro'; action: 'publish' }
  | { kind: 'retro'; action: 'decline'; reason: string }
  | { kind: 'retro'; action: 'edit'; text: string }
  | { kind: 'export'; formats: Array<'markdown' | 'json' | 'csv'> }
  | { kind: 'stats'; days: number }
  | { kind: 'update'; message?: string }
  | { kind: 'severity'; severity: string }
  | { kind: 'resolve'; summary?: string }
  | { kind: 'reopen'; reason?: string }
  | { kind: 'note'; text: string }
  | { kind: 'retry'; step: string };

/** One line per sub-command, as `/incident help` shows them. */
export const USAGE: Record<SlashRequest['kind'], string> = {
  start: '/incident start [playbook] [name...] [severity]  (no arguments: opens the start dialog)',
  check: '/incident check <task>  (a task number like 2.3, or its ID)',
  uncheck: '/incident uncheck <task>',
  skip: '/incident skip <task> [reason...]',
  assign: '/incident assign <task> @user  (or "none" to unassign)',
  add: '/incident add <checklist> <title...>  (checklist by number, ID or title)',
  commander: '/incident commander @user',
  ack: '/incident ack',
  update: '/incident update [message...]  (no message: opens the status update dialog)',
  severity: '/incident severity <level>',
  resolve: '/incident resolve [summary...]',
  reopen: '/incident reopen [reason...]',
  close: '/incident close',
  note: '/incident note <text...>',
  info: '/incident info',
  list: '/incident list',
  timeline: `/incident timeline [kind...]  (${Object.keys(TIMELINE_GROUPS).join(', ')})`,
  snooze: '/incident snooze <duration>  (hold the status-update reminder off, e.g. 30m)',
  retro: '/incident retro [publish | decline <reason...> | edit <text...>]  (no argument: shows the draft)',
  export: '/incident export [markdown] [json] [csv]  (all three when none is named)',
  playbooks: '/incident playbooks',
  stats: '/incident stats [days]  (this team, the last 30 days by default)',
  retry: `/incident retry <step>  (${[...LAUNCH_STEPS, ...FOLLOW_UP_KINDS].join(', ')})`,
  help: '/incident help',
};

/** Sub-commands that act on one incident: in an incident channel they need no incident named. */
export const INCIDENT_SCOPED: ReadonlySet<SlashRequest['kind']> = new Set([
  'check', 'uncheck', 'skip', 'assign', 'add', 'commander', 'ack', 'update', 'severity', 'resolve', 'reopen', 'close',
  'note', 'info', 'timeline', 'retry', 'snooze', 'retro', 'export',
]);

export function helpText(): string {
  return ['**/incident** sub-commands:', ...Object.values(USAGE).map((line) => `- \`${line.split('  ')[0]}\`${line.includes('  ') ? ` ${line.split('  ').slice(1).join(' ')}` : ''}`)].join('\n');
}

class UsageError extends IncidentCommandError {
  constructor(problem: string, kind?: SlashRequest['kind']) {
    super('invalid_input', kind ? `${problem}\nUsage: \`${USAGE[kind]}\`` : `${problem}\nTry \`/incident help\`.`, [problem]);
  }
}

const TASK_REF = /^(\d{1,3}\.\d{1,3}|[a-z0-9][a-z0-9_-]{0,63})$/;

function taskRef(token: string | undefined, kind: SlashRequest['kind']): string {
  if (!token) throw new UsageError('name the task by its number (like 2.3) or its ID', kind);
  if (!TASK_REF.test(token)) throw new UsageError(`"${token}" is not a task number like 2.3 or a task ID`, kind);
  return token;
}

function username(token: string | undefined, kind: SlashRequest['kind']): string {
  if (!token) throw new UsageError('name a person, like @alice', kind);
  const name = token.replace(/^@/, '').toLowerCase();
  if (!USERNAME_PATTERN.test(name)) throw new UsageError(`"${token}" is not a Mattermost username like @alice`, kind);
  return name;
}

/** Splits off the first `count` words; the rest keeps its own spacing and line breaks (messages, titles). */
function words(text: string, count: number): { head: string[]; rest: string } {
  const head: string[] = [];
  let rest = text.trim();
  while (head.length < count && rest) {
    const match = /^(\S+)\s*/.exec(rest)!;
    head.push(match[1]!);
    rest = rest.slice(match[0].length);
  }
  return { head, rest };
}

const optional = (text: string): string | undefined => (text ? text : undefined);

export function parseSlashCommand(text: string): SlashRequest {
  if (text.length > MAX_COMMAND_TEXT) {
    throw new UsageError(`the command text is ${text.length} characters; Mattermost allows at most ${MAX_COMMAND_TEXT}`);
  }
  const { head, rest } = words(text, 1);
  const sub = (head[0] ?? 'help').toLowerCase();
  switch (sub) {
    case 'help':
    case 'ack':
    case 'close':
    case 'info':
    case 'list':
    case 'playbooks':
      if (rest) throw new UsageError(`\`${sub}\` takes no arguments`, sub);
      return { kind: sub };
    case 'start': {
      const { head: [first], rest: name } = words(rest, 1);
      return { kind: 'start', ...(first ? { playbook: first } : {}), ...(name ? { name } : {}) };
    }
    case 'check':
    case 'uncheck': {
      const { head: [task], rest: extra } = words(rest, 1);
      if (extra) throw new UsageError(`\`${sub}\` takes one task`, sub);
      return { kind: sub, taskId: taskRef(task, sub) };
    }
    case 'skip': {
      const { head: [task], rest: reason } = words(rest, 1);
      return { kind: 'skip', taskId: taskRef(task, 'skip'), ...(reason ? { reason } : {}) };
    }
    case 'assign': {
      const { head: [task, who], rest: extra } = words(rest, 2);
      if (extra) throw new UsageError('`assign` takes a task and one person', 'assign');
      const taskId = taskRef(task, 'assign');
      return { kind: 'assign', taskId, assignee: who?.toLowerCase() === 'none' ? null : username(who, 'assign') };
    }
    case 'add': {
      const { head: [checklist], rest: title } = words(rest, 1);
      if (!checklist || !title) throw new UsageError('name the checklist and the new task title', 'add');
      return { kind: 'add', checklist, title };
    }
    case 'commander': {
      const { head: [who], rest: extra } = words(rest, 1);
      if (extra) throw new UsageError('`commander` takes one person', 'commander');
      return { kind: 'commander', commander: username(who, 'commander') };
    }
    case 'update':
      return { kind: 'update', ...(rest ? { message: rest } : {}) };
    case 'severity': {
      const { head: [level], rest: extra } = words(rest, 1);
      if (!level || extra) throw new UsageError('name one severity level, like sev1', 'severity');
      return { kind: 'severity', severity: level.toLowerCase() };
    }
    case 'resolve':
      return { kind: 'resolve', ...(optional(rest) ? { summary: rest } : {}) };
    case 'reopen':
      return { kind: 'reopen', ...(optional(rest) ? { reason: rest } : {}) };
    case 'note':
      if (!rest) throw new UsageError('write the note after `note`', 'note');
      return { kind: 'note', text: rest };
    case 'timeline':
      try {
        return { kind: 'timeline', kinds: parseTimelineKinds(rest.split(/\s+/)) };
      } catch (error) {
        throw new UsageError(messageOf(error), 'timeline');
      }
    case 'snooze': {
      const span = rest.replace(/\s+/g, '');
      if (!span || parseDuration(span) === undefined) throw new UsageError(span ? `"${rest}" is not a duration like 30m or 2h` : 'say for how long, like 30m', 'snooze');
      return { kind: 'snooze', for: span };
    }
    case 'retro': {
      const { head: [action], rest: text } = words(rest, 1);
      switch (action?.toLowerCase()) {
        case undefined:
        case 'show':
          return { kind: 'retro', action: 'show' };
        case 'publish':
          if (text) throw new UsageError('`retro publish` takes no text; change the draft with `retro edit <text>` first', 'retro');
          return { kind: 'retro', action: 'publish' };
        case 'decline':
          if (!text) throw new UsageError('say why this incident needs no retrospective', 'retro');
          return { kind: 'retro', action: 'decline', reason: text };
        case 'edit':
          if (!text) throw new UsageError('write the retrospective text after `retro edit`', 'retro');
          return { kind: 'retro', action: 'edit', text };
        default:
          throw new UsageError(`"${action}" is not a retro action`, 'retro');
      }
    }
    case 'export': {
      const formats = rest.split(/\s+/).filter(Boolean).map((word) => (word.toLowerCase() === 'md' ? 'markdown' : word.toLowerCase()));
      const bad = formats.find((format) => !['markdown', 'json', 'csv'].includes(format));
      if (bad) throw new UsageError(`"${bad}" is not an export format (markdown, json, csv)`, 'export');
      return { kind: 'export', formats: (formats.length ? [...new Set(formats)] : ['markdown', 'json', 'csv']) as Array<'markdown' | 'json' | 'csv'> };
    }
    case 'stats': {
      const days = rest ? Number(rest) : 30;
      if (!/^\d{0,3}$/.test(rest) || !Number.isInteger(days) || days < 1 || days > 366) {
        throw new UsageError(`"${rest}" is not a number of days from 1 to 366`, 'stats');
      }
      return { kind: 'stats', days };
    }
    case 'retry': {
      const { head: [step], rest: extra } = words(rest, 1);
      const steps = [...LAUNCH_STEPS, ...FOLLOW_UP_KINDS] as readonly string[];
      if (!step || extra || !steps.includes(step)) {
        throw new UsageError(step ? `"${step}" is not a step that can be retried` : 'name the step to retry', 'retry');
      }
      return { kind: 'retry', step };
    }
    default:
      throw new UsageError(`unknown sub-command "${sub}"`);
  }
}
