/**
 * What the workflow bundle evaluates once per workflow thread and shares between incidents (WORKFLOW_PRELOAD_MODULES
 * in incident-worker.ts): zod, which every incident otherwise evaluated again when it started or came back into the
 * worker's cache.
 *
 * zod is imported the way workflow code imports it (an ES import of `z`), so the bundle shares the very modules the
 * workflows use: the bundler loads a preload entry with require(), and naming 'zod' there would load zod's separate
 * CommonJS build instead. And the schemas made here are not for use: zod fills in its global settings (the locale of
 * its messages when the first schema is made, its memoizer when the first object or transform is) and right after the
 * preload the worker freezes what it shares, so a workflow could no longer fill them in and every schema it made would
 * throw ("Cannot add property memoizer, object is not extensible": the workflow tests fail at once if zod ever adds
 * another setting filled in this way).
 */
import { z } from 'zod';

z.object({ settings: z.string() }).transform((value) => value);
