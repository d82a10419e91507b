/**
 * What the workflow bundle evaluates once per workflow thread and shares between incidents (WORKFLOW_PRELOAD_MODULES
 * in incident-worker.ts): zod, and the domain and formats modules the workflows import, with their zod schemas.
 *
 * Every module not preloaded is evaluated again for each incident the worker starts or brings back into its cache (that
 * is how the reusable V8 context keeps workflows apart). The domain's modules, with their ~640 zod schemas, were most
 * of what a cached incident held: some 670 KB of its ~760 KB in the workflow thread's heap (bench/cached-heap.ts).
 * Shared, an incident holds about 90 KB, and starting or replaying one evaluates a fraction of the code. The domain keeps no state
 * of its own between calls (no module-level variables, caches or counters; it is pure by design), so sharing its
 * modules shares no incident's data with another. Keep it so: a module-level cache, or a module-level regular
 * expression with the g or y flag used with exec() or test() (its lastIndex is state), would now carry over from one
 * incident to the next and make replays differ.
 *
 * The worker deep-freezes what is preloaded, and a frozen zod schema breaks: zod shadows a schema's methods and derived
 * internals with own properties on first use ("Cannot define property safeParse, object is not extensible"). So the
 * preload freezes the domain's values itself, all but the schemas, and then each module's exports object; the worker's
 * deep freeze stops at an object that is frozen already, and the schemas stay as zod needs them. zod's changes to them
 * are its own memoization, the same whichever incident triggers them.
 *
 * zod is imported the way workflow code imports it (an ES import of `z`), so the bundle shares the very modules the
 * workflows use: the bundler loads a preload entry with require(), and naming 'zod' there would load zod's separate
 * CommonJS build instead. The schema made here is not for use: zod fills in its global settings (the locale of its
 * messages when the first schema is made, its memoizer when the first object or transform is) and right after the
 * preload the worker freezes what it shares, so a workflow could no longer fill them in and every schema it made would
 * throw ("Cannot add property memoizer, object is not extensible": the workflow tests fail at once if zod ever adds
 * another setting filled in this way).
 */
import { z } from 'zod';
import * as alerts from '../domain/alerts.js';
import * as channelName from '../domain/channel-name.js';
import * as checklistDraft from '../domain/checklist-draft.js';
import * as commandIntake from '../domain/command-intake.js';
import * as commandResult from '../domain/command-result.js';
import * as commands from '../domain/commands.js';
import * as commandsAlertsAndRetries from '../domain/commands/alerts-and-retries.js';
import * as commandsCommunication from '../domain/commands/communication.js';
import * as commandsDefinition from '../domain/commands/definition.js';
import * as commandsLifecycle from '../domain/commands/lifecycle.js';
import * as commandsRetrospective from '../domain/commands/retrospective.js';
import * as commandsTasks from '../domain/commands/tasks.js';
import * as duration from '../domain/duration.js';
import * as errors from '../domain/errors.js';
import * as followUps from '../domain/follow-ups.js';
import * as incidentView from '../domain/incident-view.js';
import * as incident from '../domain/incident.js';
import * as launchSteps from '../domain/launch-steps.js';
import * as membership from '../domain/membership.js';
import * as newIncident from '../domain/new-incident.js';
import * as people from '../domain/people.js';
import * as playbookChecks from '../domain/playbook/checks.js';
import * as playbookDefaults from '../domain/playbook/defaults.js';
import * as playbookFields from '../domain/playbook/fields.js';
import * as playbookMessages from '../domain/playbook/messages.js';
import * as playbookSchema from '../domain/playbook/schema.js';
import * as playbookSnapshot from '../domain/playbook/snapshot.js';
import * as playbookTemplates from '../domain/playbook/templates.js';
import * as playbookVocabulary from '../domain/playbook/vocabulary.js';
import * as playbookWebhookSecretEnv from '../domain/playbook/webhook-secret-env.js';
import * as reminders from '../domain/reminders.js';
import * as retrospective from '../domain/retrospective.js';
import * as taskReference from '../domain/task-reference.js';
import * as timelineFilter from '../domain/timeline-filter.js';
import * as timeline from '../domain/timeline.js';
import * as updateIds from '../domain/update-ids.js';
import * as webLinks from '../domain/web-links.js';
import * as formatsChecklistMessage from '../formats/checklist-message.js';
import * as formatsIncidentTemplates from '../formats/incident-templates.js';
import * as formatsSpecialMentions from '../formats/special-mentions.js';
import * as formatsWebhookPayload from '../formats/webhook-payload.js';

z.object({ settings: z.string() }).transform((value) => value);

/**
 * Freezes `value` and what it holds, as the worker would, except zod schemas (whatever has `_zod`), functions and
 * regular expressions: schemas share the expressions they check with (a username pattern, say) and zod sets their
 * `lastIndex` to 0 before each use.
 */
function freezeAllButSchemas(value: unknown, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || '_zod' in value || value instanceof RegExp) return;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) freezeAllButSchemas((value as Record<PropertyKey, unknown>)[key], seen);
  Object.freeze(value);
}

const seen = new Set<unknown>();
/**
 * Every domain module in the workflow bundle (and the formats it renders with), the ones the workflows import and the ones those import: one left out is
 * shared all the same (a preloaded module imports it), and the worker's deep freeze would reach its schemas
 * (test/unit/workflow-preload.test.ts checks the list against the bundle).
 */
const DOMAIN_MODULES = [
  alerts, channelName, checklistDraft, commandIntake, commandResult, commands, commandsAlertsAndRetries, commandsCommunication,
  commandsDefinition, commandsLifecycle, commandsRetrospective, commandsTasks, duration, errors, followUps,
  incidentView, incident, launchSteps, membership, newIncident, people, playbookChecks, playbookDefaults,
  playbookFields, playbookMessages, playbookSchema, playbookSnapshot, playbookTemplates, playbookVocabulary,
  playbookWebhookSecretEnv, reminders, retrospective, taskReference, timelineFilter, timeline, updateIds, webLinks,
  formatsChecklistMessage, formatsIncidentTemplates, formatsSpecialMentions, formatsWebhookPayload,
];
for (const exports of DOMAIN_MODULES) {
  for (const key of Object.keys(exports)) freezeAllButSchemas((exports as Record<string, unknown>)[key], seen);
  // In the bundle, the module's exports object (its getters are defined before the module runs, so freezing it now
  // takes nothing away). Outside a bundle an ES module namespace cannot be frozen, and nothing freezes it after us.
  try {
    Object.freeze(exports);
  } catch {
    // not bundled
  }
}
