/**
 * The on-call port on Opsgenie through opsgenie-sdk. Three things about the SDK shape this adapter: it retries 5 times,
 * 5 s apart, unless each call says otherwise (so every call passes `maxAttempts: 1` and Temporal does the retrying); its
 * configuration is process-global (one key and host per process); and it has no on-call API, so that call goes through
 * the SDK's own request helper.
 */
import { createRequire } from 'node:module';
import opsgenie from 'opsgenie-sdk';
import { IntegrationError } from '../../activities/ports/integration-error.js';
import { httpFailure, networkFailure, type FailureSource } from '../http-failure.js';
import type { Alert, OnCallPort } from '../../activities/ports/on-call.js';

const OPSGENIE: FailureSource = { system: 'oncall', service: 'Opsgenie' };

type Callback = (error: (Record<string, unknown> & { httpStatusCode?: number; message?: string }) | null, response: unknown) => void;
const restApi = createRequire(import.meta.url)('opsgenie-sdk/lib/restApi') as {
  get(path: string, options: Record<string, unknown>, cb: Callback): void;
};

export interface OpsgenieConfig {
  apiKey: string;
  /** API host, default https://api.opsgenie.com (EU: https://api.eu.opsgenie.com). */
  url?: string;
  /** Schedule whose on-call people are invited when the playbook names none. */
  defaultSchedule?: string;
  timeoutMs?: number;
}

function call<T>(invoke: (cb: Callback) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => {
      if (!error) {
        resolve(response as T);
        return;
      }
      if (typeof error.httpStatusCode === 'number') {
        reject(httpFailure(OPSGENIE, error.httpStatusCode, String(error.message ?? '')));
        return;
      }
      reject(networkFailure(OPSGENIE, error));
    });
  });
}

export class OpsgenieOnCall implements OnCallPort {
  readonly provider = 'opsgenie' as const;
  private readonly options: Record<string, unknown>;

  constructor(private readonly config: OpsgenieConfig) {
    opsgenie.configure({ api_key: config.apiKey, host: (config.url ?? 'https://api.opsgenie.com').replace(/\/+$/, '') });
    this.options = { maxAttempts: 1, timeout: config.timeoutMs ?? 10_000 };
  }

  async whoIsOnCall(schedule?: string): Promise<string[]> {
    const name = schedule ?? this.config.defaultSchedule;
    if (!name) {
      throw new IntegrationError('oncall', 'no Opsgenie schedule named (playbook opsgenie.schedule or OPSGENIE_SCHEDULE)', false, 'NotConfigured');
    }
    const path = `/v2/schedules/${encodeURIComponent(name)}/on-calls?scheduleIdentifierType=name&flat=true`;
    const response = await call<{ data?: { onCallRecipients?: string[] } }>((cb) => restApi.get(path, { ...this.options }, cb));
    return response.data?.onCallRecipients ?? [];
  }

  async findAlert(alias: string): Promise<Alert | undefined> {
    try {
      const response = await call<{ data?: { id: string; alias: string; status: string } }>((cb) =>
        opsgenie.alertV2.get({ identifier: encodeURIComponent(alias), identifierType: 'alias' }, { ...this.options }, cb),
      );
      const data = response.data;
      return data && { id: data.id, alias: data.alias, status: data.status === 'closed' ? 'closed' : 'open' };
    } catch (error) {
      if (error instanceof IntegrationError && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  async createAlert(request: { alias: string; message: string; description: string; priority: string }): Promise<Alert> {
    const accepted = await call<{ requestId?: string }>((cb) =>
      opsgenie.alertV2.create(
        { ...request, message: request.message.slice(0, 130), source: 'incident-collaboration', tags: ['incident'] },
        { ...this.options },
        cb,
      ),
    );
    // Opsgenie creates alerts asynchronously; the request status names the alert once it exists.
    if (accepted.requestId) {
      try {
        const status = await call<{ data?: { alertId?: string; isSuccess?: boolean } }>((cb) =>
          opsgenie.alertV2.getRequestStatus(accepted.requestId!, { ...this.options }, cb),
        );
        if (status.data?.alertId) return { id: status.data.alertId, alias: request.alias, status: 'open' };
      } catch {
        // Still being processed: the alias identifies the alert just as well.
      }
    }
    return { id: request.alias, alias: request.alias, status: 'open' };
  }

  async closeAlert(alias: string, note: string): Promise<void> {
    await call((cb) =>
      opsgenie.alertV2.close(
        { identifier: encodeURIComponent(alias), identifierType: 'alias' },
        { note, source: 'incident-collaboration' },
        { ...this.options },
        cb,
      ),
    );
  }
}
