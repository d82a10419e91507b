/**
 * Teams: by name and by id. Every seeded user is in every seeded team (a user's teams are in users.ts).
 */
import type { Request, Router } from 'express';
import { teamNameNotFound } from './errors.js';
import { API, idParam, ok, param, route } from './http.js';
import { copy } from './ids.js';
import type { MattermostWorld } from './state.js';
import type { SandboxTeam } from './types.js';

/** The team the path names by :team_name, or the real server's 404 for an unknown name. */
export function teamByNameParam(world: MattermostWorld, req: Request): SandboxTeam {
  const team = world.teamByName(param(req, 'team_name'));
  if (!team) throw teamNameNotFound();
  return team;
}

export function registerTeamRoutes(router: Router, world: MattermostWorld): void {
  router.get(`${API}/teams/name/:team_name`, route(world, (req) => ok(copy(teamByNameParam(world, req)))));
  router.get(`${API}/teams/:team_id`, route(world, (req) => ok(copy(world.requireTeam(idParam(req, 'team_id'))))));
}
