/**
 * Mattermost as OAuth 2.0 provider ("sign in with Mattermost"), the REST half: OAuth apps (create, list, get, new
 * secret) and the one server setting it needs, ServiceSettings.EnableOAuthServiceProvider, at GET /config and PUT
 * /config/patch (the only setting the sandbox keeps). The browser half (/oauth/authorize, /oauth/access_token) is in
 * oauth-flow.ts.
 *
 * As on the real server (checked against Mattermost 9.11): only system admins hold manage_oauth (the default
 * "integrations limited to admins"), only they may make an app trusted, the secret is a new 26-character id, and with
 * the provider turned off every route answers 501 with the real error ids.
 */
import type { Router } from 'express';
import { apiError, forbidden, invalidBodyParam } from './errors.js';
import { API, bodyObject, created, idParam, ok, optionalBoolean, optionalString, pageOf, paging, route } from './http.js';
import { copy, newMattermostId, runeLength } from './ids.js';
import { isSystemAdmin, type MattermostWorld } from './state.js';
import type { SandboxOAuthApp, SandboxUserProfile } from './types.js';

const NAME_MAX = 64;
const DESCRIPTION_MAX = 512;
const URL_MAX = 256;
const ICON_URL_MAX = 512;
const CALLBACKS_MAX = 1024;

/** Every OAuth route first: with the provider off, the real server answers 501 with this id (creation has its own). */
export function requireOAuthProvider(world: MattermostWorld, id = 'api.oauth.allow_oauth.turn_off.app_error'): void {
  if (!world.enableOAuthServiceProvider) throw apiError(501, id, 'The system admin has turned off OAuth2 Service Provider.');
}

/** model.IsValidHTTPURL: http(s) and parseable. */
export const isHttpUrl = (value: string): boolean => /^https?:\/\//.test(value) && URL.canParse(value);

export function registerOAuthAppRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/oauth/apps`, route(world, (req, session) => {
    const body = bodyObject(req, 'oauth_app');
    if (!isSystemAdmin(session)) throw forbidden();
    requireOAuthProvider(world, 'api.oauth.register_oauth_app.turn_off.app_error');
    const now = world.now();
    const app: SandboxOAuthApp = {
      id: newMattermostId(),
      creator_id: session.id,
      create_at: now,
      update_at: now,
      client_secret: newMattermostId(),
      ...checkedApp(body),
      // Only a holder of manage_system may trust an app (trusted apps skip the consent page); others get false silently.
      is_trusted: isSystemAdmin(session) && optionalBoolean(body, 'is_trusted') === true,
      mattermost_app_id: '',
    };
    world.oauthApps.set(app.id, app);
    return created(copy(app));
  }));
  router.get(`${API}/oauth/apps`, route(world, (req, session) => {
    if (!isSystemAdmin(session)) throw apiError(403, 'api.command.admin_only.app_error', 'Integrations have been limited to admins only.');
    requireOAuthProvider(world);
    const { page, perPage } = paging(req);
    return ok(pageOf([...world.oauthApps.values()], page, perPage).map(copy));
  }));
  router.get(`${API}/oauth/apps/:app_id`, route(world, (req, session) => ok(copy(appFor(world, idParam(req, 'app_id'), session)))));
  router.post(`${API}/oauth/apps/:app_id/regen_secret`, route(world, (req, session) => {
    const app = appFor(world, idParam(req, 'app_id'), session);
    app.client_secret = newMattermostId();
    app.update_at = world.now();
    return ok(copy(app));
  }));

  // The server configuration, reduced to the one setting the sandbox models.
  const config = () => ({ ServiceSettings: { EnableOAuthServiceProvider: world.enableOAuthServiceProvider } });
  router.get(`${API}/config`, route(world, (_req, session) => {
    if (!isSystemAdmin(session)) throw forbidden();
    return ok(config());
  }));
  router.put(`${API}/config/patch`, route(world, (req, session) => {
    const body = bodyObject(req, 'config');
    if (!isSystemAdmin(session)) throw forbidden();
    const service = body.ServiceSettings;
    if (service !== undefined && (typeof service !== 'object' || service === null)) throw invalidBodyParam('config');
    const enable = service ? optionalBoolean(service as Record<string, unknown>, 'EnableOAuthServiceProvider') : undefined;
    if (enable !== undefined) world.enableOAuthServiceProvider = enable;
    return ok(config());
  }));
}

/** An app the session may manage: the real order is permission, provider, existence, then ownership. */
function appFor(world: MattermostWorld, id: string, session: SandboxUserProfile): SandboxOAuthApp {
  if (!isSystemAdmin(session)) throw forbidden();
  requireOAuthProvider(world);
  const app = world.oauthApps.get(id);
  if (!app) throw apiError(404, 'app.oauth.get_app.find.app_error', 'Unable to find the requested app.');
  return app;
}

/** model.OAuthApp.IsValid, with its error ids and texts. */
function checkedApp(body: Record<string, unknown>): Pick<SandboxOAuthApp, 'name' | 'description' | 'icon_url' | 'callback_urls' | 'homepage'> {
  const name = optionalString(body, 'name') ?? '';
  const description = optionalString(body, 'description') ?? '';
  const homepage = optionalString(body, 'homepage') ?? '';
  const iconUrl = optionalString(body, 'icon_url') ?? '';
  const callbacks = body.callback_urls ?? [];
  if (!Array.isArray(callbacks) || callbacks.some((url) => typeof url !== 'string')) throw invalidBodyParam('oauth_app');
  const callbackUrls = callbacks as string[];
  if (name === '' || runeLength(name) > NAME_MAX) throw apiError(400, 'model.oauth.is_valid.name.app_error', 'Invalid name.');
  // Go formats the list as "[a b]" for its length check.
  if (callbackUrls.length === 0 || callbackUrls.join(' ').length + 2 > CALLBACKS_MAX || !callbackUrls.every(isHttpUrl)) {
    throw apiError(400, 'model.oauth.is_valid.callback.app_error', 'Callback URL must be a valid URL and start with http:// or https://.');
  }
  if (homepage.length > URL_MAX || !isHttpUrl(homepage)) {
    throw apiError(400, 'model.oauth.is_valid.homepage.app_error', 'Homepage must be a valid URL and start with http:// or https://.');
  }
  if (runeLength(description) > DESCRIPTION_MAX) throw apiError(400, 'model.oauth.is_valid.description.app_error', 'Description must be 512 characters or less.');
  if (iconUrl !== '' && (iconUrl.length > ICON_URL_MAX || !isHttpUrl(iconUrl))) {
    throw apiError(400, 'model.oauth.is_valid.icon_url.app_error', 'Icon URL must be a valid URL and start with http:// or https://.');
  }
  return { name, description, icon_url: iconUrl, callback_urls: [...callbackUrls], homepage };
}
