/**
 * Assembles the REST API v4 router: authentication first, then every resource's routes. The order is Express's match
 * order, so a fixed path (/users/username/..., /teams/name/..., /channels/direct) comes before the ":id" route it
 * would otherwise fall into. The OAuth provider's browser routes (/oauth/*) are outside /api/v4 and its authentication:
 * they find their session themselves.
 */
import type { Router } from 'express';
import { registerAuth } from './auth.js';
import { registerCategoryRoutes } from './categories.js';
import { registerChannelRoutes } from './channels.js';
import { registerCommandRoutes } from './commands.js';
import { registerFileRoutes } from './files.js';
import { registerGroupRoutes } from './groups.js';
import { registerMemberRoutes } from './members.js';
import { registerOAuthAppRoutes } from './oauth.js';
import { registerOAuthFlowRoutes } from './oauth-flow.js';
import { registerPostRoutes } from './posts.js';
import type { MattermostWorld } from './state.js';
import { registerTeamRoutes } from './teams.js';
import { registerUserRoutes } from './users.js';

export function registerRoutes(router: Router, world: MattermostWorld): void {
  registerOAuthFlowRoutes(router, world);
  registerAuth(router, world);
  registerUserRoutes(router, world);
  registerGroupRoutes(router, world);
  registerTeamRoutes(router, world);
  registerChannelRoutes(router, world);
  registerMemberRoutes(router, world);
  registerPostRoutes(router, world);
  registerCategoryRoutes(router, world);
  registerFileRoutes(router, world);
  registerCommandRoutes(router, world);
  registerOAuthAppRoutes(router, world);
}
