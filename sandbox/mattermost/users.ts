/**
 * Users: profiles by id, username and e-mail (one or many), every user paged or a group's members (in_group), and a
 * user's teams and groups. Profiles are sanitised for the session (hidden e-mail addresses) as the real server does.
 */
import type { Router } from 'express';
import { apiError, userNotFound } from './errors.js';
import { groupJson } from './groups.js';
import { API, bodyArray, ok, pageOf, paging, param, queryString, route, stringArray, userIdParam } from './http.js';
import { copy, isValidId } from './ids.js';
import type { MattermostWorld } from './state.js';

export function registerUserRoutes(router: Router, world: MattermostWorld): void {
  router.get(`${API}/users/username/:username`, route(world, (req, session) => {
    const user = world.userByUsername(param(req, 'username'));
    if (!user) throw userNotFound();
    return ok(world.profileFor(user, session));
  }));
  router.get(`${API}/users/email/:email`, route(world, (req) => {
    const user = world.userByEmail(param(req, 'email'));
    if (!user) throw userNotFound();
    return ok(copy(user));
  }));
  router.post(`${API}/users/usernames`, route(world, (req, session) => {
    const wanted = new Set(stringArray(bodyArray(req, 'usernames'), 'usernames'));
    return ok([...world.users.values()].filter((user) => wanted.has(user.username)).map((user) => world.profileFor(user, session)));
  }));
  // Unknown ids are left out; is_bot tells bots from people.
  router.post(`${API}/users/ids`, route(world, (req, session) => {
    const wanted = new Set(stringArray(bodyArray(req, 'user_ids'), 'user_ids'));
    return ok([...world.users.values()].filter((user) => wanted.has(user.id)).map((user) => world.profileFor(user, session)));
  }));
  // GET /users?in_group=<group id>: the group's members, by username, paged; without in_group: every user, paged.
  router.get(`${API}/users`, route(world, (req, session) => {
    const { page, perPage } = paging(req);
    const inGroup = queryString(req, 'in_group');
    let users = [...world.users.values()];
    if (inGroup !== undefined) {
      world.requireGroupsEnabled();
      if (!isValidId(inGroup)) throw apiError(400, 'api.context.invalid_url_param.app_error', 'Invalid or missing in_group in request URL.');
      world.requireGroup(inGroup);
      const memberIds = new Set(world.groupMembers.get(inGroup) ?? []);
      users = users.filter((user) => memberIds.has(user.id));
    }
    users.sort((a, b) => a.username.localeCompare(b.username));
    return ok(pageOf(users, page, perPage).map((user) => world.profileFor(user, session)));
  }));
  router.get(`${API}/users/:user_id`, route(world, (req, session) => ok(world.profileFor(world.requireUser(userIdParam(req, session)), session))));
  // The user groups the user is a member of (custom groups; 501 on a server without them).
  router.get(`${API}/users/:user_id/groups`, route(world, (req, session) => {
    world.requireGroupsEnabled();
    const userId = world.requireUser(userIdParam(req, session)).id;
    return ok([...world.groups.values()].filter((group) => world.groupMembers.get(group.id)?.includes(userId)).map((group) => groupJson(world, group, false)));
  }));
  router.get(`${API}/users/:user_id/teams`, route(world, (req, session) => {
    const userId = userIdParam(req, session);
    world.requireSelfOrAdmin(userId, session);
    world.requireUser(userId);
    return ok([...world.teams.values()].map(copy));
  }));
}
