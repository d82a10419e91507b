/**
 * The OpenAPI document is valid OpenAPI 3.1, describes every route the REST API's routers serve, and nothing they do
 * not: routes are read from the routers themselves (Express's route table), not from a list kept by hand.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Router } from 'express';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../api/auth/api-tokens.js';
import { alertRoutes } from '../../api/alert-routes.js';
import { incidentExportRoutes } from '../../api/incident-export-routes.js';
import { incidentRoutes } from '../../api/incident-routes.js';
import { documentedRoutes, openApiDocument } from '../../api/openapi.js';
import { playbookRoutes } from '../../api/playbook-routes.js';
import { recordRoutes } from '../../api/record-routes.js';
import { meRoute } from '../../api/web/auth-routes.js';
import { incidentEventRoutes } from '../../api/live/incident-event-routes.js';
import { taskCommandRoutes } from '../../api/mattermost/task-commands.js';

/** `METHOD /path` for every route of a router (the routers are built with stand-ins: only their tables are read). */
function routesOf(router: Router): string[] {
  const stack = (router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack;
  return stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`) : []));
}

const served = [
  ...routesOf(incidentRoutes({ incidents: {} as never, playbooks: {} as never, defaultTeam: 'default' } as never)),
  ...routesOf(recordRoutes({} as never)),
  ...routesOf(alertRoutes({ intake: {} as never, callerOf: () => ANONYMOUS, fromWebApp: () => false })),
  ...routesOf(incidentExportRoutes({ incidents: {} as never, logger: {} as never } as never)),
  ...routesOf(playbookRoutes({} as never, {})),
  ...routesOf(meRoute()),
  ...routesOf(incidentEventRoutes({} as never)),
  ...routesOf(taskCommandRoutes({} as never)),
];

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const document = openApiDocument();
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the API serves, and only those', () => {
    expect(served.length).toBeGreaterThan(30);
    expect([...documentedRoutes()].sort()).toEqual([...new Set(served)].sort());
  });

  it('gives each command its payload as the body, without the fields its path carries', () => {
    const schemas = (openApiDocument().components as { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> }).schemas;
    expect(Object.keys(schemas.addNote!.properties!)).toEqual(expect.arrayContaining(['text', 'actor']));
    expect(schemas.addNote!.required).toEqual(['text']);
    expect(schemas.completeTask!.properties).not.toHaveProperty('taskId');
    const paths = openApiDocument().paths as Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    expect(paths['/api/v1/incidents/{id}/tasks/{taskId}/complete']!.post!.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', 'path:taskId']);
    expect(paths['/api/v1/incidents']!.get!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'severity', 'limit', 'cursor']));
  });
});
