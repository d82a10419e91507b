/**
 * Custom user groups (a licensed feature): search, one group, its stats. With `groupsEnabled: false` every groups route
 * (and GET /users?in_group, GET /users/{id}/groups) answers 501, as an unlicensed server does.
 */
import type { Request, Router } from 'express';
import { API, idParam, ok, pageOf, paging, queryString, route } from './http.js';
import { copy } from './ids.js';
import type { MattermostWorld } from './state.js';
import type { SandboxGroup } from './types.js';

/** A group as the routes answer it: member_count only when asked for with include_member_count. */
export function groupJson(world: MattermostWorld, group: SandboxGroup, withMemberCount: boolean): SandboxGroup {
  return withMemberCount ? { ...copy(group), member_count: world.groupMembers.get(group.id)?.length ?? 0 } : copy(group);
}

/** The group the path names, after the licence check every groups route makes first. */
function groupParam(world: MattermostWorld, req: Request): SandboxGroup {
  world.requireGroupsEnabled();
  return world.requireGroup(idParam(req, 'group_id'));
}

/** Custom user groups: searchable by anyone with a session, as custom groups are visible to every user. */
export function registerGroupRoutes(router: Router, world: MattermostWorld): void {
  // q matches the name or display name (case-insensitively, anywhere in it); sorted by display name, paged.
  router.get(`${API}/groups`, route(world, (req) => {
    world.requireGroupsEnabled();
    const { page, perPage } = paging(req);
    const q = (queryString(req, 'q') ?? '').toLowerCase();
    const hasMember = queryString(req, 'filter_has_member');
    const groups = [...world.groups.values()]
      .filter((group) => q === '' || group.name.toLowerCase().includes(q) || group.display_name.toLowerCase().includes(q))
      .filter((group) => !hasMember || (world.groupMembers.get(group.id) ?? []).includes(hasMember))
      .sort((a, b) => a.display_name.localeCompare(b.display_name, 'en', { sensitivity: 'base' }));
    const withCount = queryString(req, 'include_member_count') === 'true';
    return ok(pageOf(groups, page, perPage).map((group) => groupJson(world, group, withCount)));
  }));
  router.get(`${API}/groups/:group_id`, route(world, (req) => {
    const group = groupParam(world, req);
    return ok(groupJson(world, group, queryString(req, 'include_member_count') === 'true'));
  }));
  router.get(`${API}/groups/:group_id/stats`, route(world, (req) => {
    const group = groupParam(world, req);
    return ok({ group_id: group.id, total_member_count: world.groupMembers.get(group.id)?.length ?? 0 });
  }));
}
