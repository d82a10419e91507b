/** Starts the API on a host and port and stops it cleanly (finishing in-flight requests). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions } from './app.js';
import { decideApiAccess } from './auth/api-tokens.js';

export interface RunningApi {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** Refuses (throws) to serve the REST API without tokens on an address other machines can reach. */
export async function startApi(options: AppOptions & { host: string; port: number }): Promise<RunningApi> {
  const access = decideApiAccess(options.host, options.apiTokens?.length ?? 0);
  if (access.mode === 'refused') throw new Error(access.reason);
  const app = createApp(options);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
