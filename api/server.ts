/** Starts the API on a host and port and stops it cleanly (finishing in-flight requests). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NativeConnection } from '@temporalio/worker';
import { createApp, stopBackgroundWork, type AppOptions } from './app.js';
import type { AlertIntake } from './alert-intake.js';
import { runAlertIntakeWorker } from './alert-intake-worker.js';
import { ALERTS, decideApiAccess } from './auth/api-tokens.js';

export interface RunningApi {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * How long a client may take: to send its headers, and its whole request. Node's defaults (60 s and 5 minutes, checked
 * every 30 s) let a client that promises a body and never sends it hold a connection for minutes; a slow-loris flood
 * of those exhausts sockets. Our requests are small JSON bodies.
 */
export const REQUEST_TIMEOUTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/** Refuses (throws) to serve the REST API without tokens on an address other machines can reach. */
export interface StartApiOptions extends AppOptions {
  host: string;
  port: number;
  timeouts?: Partial<typeof REQUEST_TIMEOUTS>;
  /**
   * Where this process works the alert intake's queue (the deliveries its alert groups hand over). Every API process of
   * a deployment should; without one anywhere, alerts are accepted and wait in their groups.
   */
  alertIntakeWorker?: { connection: NativeConnection; namespace: string };
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const access = decideApiAccess(options.host, options.apiTokens?.length ?? 0);
  if (access.mode === 'refused') throw new Error(access.reason);
  if (access.mode === 'tokens' && options.alertRules && !options.apiTokens?.some((token) => token.alerts)) {
    // Alertmanager does not send a 4xx again: an operator must hear of this before the first alert is refused.
    options.logger.warn(
      `alert rules are set but no API token may send alerts: deliveries to /api/v1/alerts... are refused (403) until monitoring's token has the ${ALERTS} capability ` +
        `(npm run api:token -- alertmanager write --${ALERTS}, or +${ALERTS} after the scope of its API_TOKENS entry)`,
    );
  }
  const app = createApp(options);
  const alertWorker = options.alertIntakeWorker
    ? await runAlertIntakeWorker({
        ...options.alertIntakeWorker,
        taskQueue: options.taskQueue,
        intake: app.locals.alertIntake as AlertIntake,
        logger: options.logger,
      })
    : undefined;
  const timeouts = { ...REQUEST_TIMEOUTS, ...options.timeouts };
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // How often Node looks for requests past those timeouts: a fraction of the shorter one.
      connectionsCheckingInterval: Math.max(100, Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => {
      void alertWorker?.stop();
      reject(error);
    };
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    stop: async () => {
      await stopBackgroundWork(app);
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      // After the last request: a delivery being handed over finishes (or goes back to its group for another process).
      await alertWorker?.stop();
    },
  };
}
