/**
 * Connections to Temporal, configured by Temporal's own environment conventions (@temporalio/envconfig):
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE.
 */
import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { retryUntilClosed } from './retry-until-closed.js';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** The connection options envconfig derives from the environment, with an explicit address when we run the server. */
export function connectionSettings(target?: Partial<TemporalTarget>) {
  const config = loadClientConnectConfig();
  const connectionOptions = { ...config.connectionOptions };
  if (target?.address) connectionOptions.address = target.address;
  const namespace = target?.namespace ?? config.namespace ?? 'default';
  return { connectionOptions, namespace };
}

/** The namespace to use: TEMPORAL_NAMESPACE, else the Temporal config profile's, else "default". */
export function resolveNamespace(explicit?: string): string {
  return explicit ?? loadClientConnectConfig().namespace ?? 'default';
}

export async function connectClient(
  target?: Partial<TemporalTarget>,
  /** Client interceptors: tracing's, which carry the active trace into what the client sends (temporal/tracing.ts). */
  options: { interceptors?: ClientInterceptors } = {},
): Promise<{ client: Client; connection: Connection }> {
  const { connectionOptions, namespace } = connectionSettings(target);
  // The SDK's retries, except after the connection closed (a stopping API's calls then fail, not hang).
  const connection = await Connection.connect({ ...connectionOptions, interceptors: [retryUntilClosed()] });
  return { client: new Client({ connection, namespace, ...(options.interceptors ? { interceptors: options.interceptors } : {}) }), connection };
}

export async function connectWorker(target?: Partial<TemporalTarget>): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = connectionSettings(target);
  return { connection: await NativeConnection.connect(connectionOptions), namespace };
}
