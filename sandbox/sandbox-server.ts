/**
 * The common machinery of the sandbox servers that stand in for Mattermost, Jira, Zoom and Opsgenie: an Express app on a
 * loopback port that records every request, injects faults per route (latency, an error status in the system's own error
 * shape, Retry-After, a dropped connection), and exposes an inspection API under /_sandbox for tests and for people
 * trying the product with `npm start`.
 *
 * Inspection API (no auth: the sandboxes listen on loopback only):
 *   GET    /_sandbox/state      what the fake system holds now (channels, issues, meetings, alerts...)
 *   GET    /_sandbox/requests   every request received, oldest first (credentials redacted: Authorization, and
 *                                an OAuth token request's client_secret, code and refresh_token)
 *   POST   /_sandbox/faults     add a fault rule (JSON FaultRuleInput); answers the rule with its id
 *   DELETE /_sandbox/faults     remove every fault rule
 *   POST   /_sandbox/reset      forget state, requests and faults
 *
 * A system with a websocket (Mattermost's /api/v4/websocket) takes HTTP upgrades through SandboxDefinition.upgrade; they
 * are recorded (status 101 once upgraded) and fault rules apply to them like to any GET, so a test can refuse or drop a
 * reconnect.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type ErrorRequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';

export interface RecordedRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** Header names lower-cased; the credential part of Authorization is replaced by "[redacted]". */
  headers: Record<string, string>;
  body: unknown;
  status?: number;
  /** When the request reached the routes (epoch ms, sub-millisecond): the call log benchmarks read floors from. */
  receivedAtMs?: number;
  /** How long the answer took from then, injected latency included; absent while pending or when the connection was dropped. */
  durationMs?: number;
}

export const faultRuleSchema = z.object({
  /** HTTP method to match; any when absent. */
  method: z.string().toUpperCase().optional(),
  /** Regular expression matched against the whole request path, e.g. "/rest/api/2/issue". */
  path: z.string().min(1),
  /** Answer with this status and the system's error body instead of handling the request. */
  status: z.number().int().min(100).max(599).optional(),
  message: z.string().optional(),
  /** Sent as the Retry-After header (seconds) with the fault status. */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** Wait this long before answering (with the fault status, or normally when there is none). */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** Destroy the connection without an answer. */
  drop: z.boolean().optional(),
  /** Apply to this many matching requests, then stop; every matching request when absent. */
  times: z.number().int().positive().optional(),
});

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema> & { id: string; matched: number };

/** Takes the HTTP upgrades (websockets) of one path. */
export interface SandboxUpgradeHandler {
  /** The request path it takes, without the query, e.g. "/api/v4/websocket"; upgrades to any other path get 404. */
  readonly path: string;
  /** Completes the upgrade (ws's handleUpgrade) and calls `upgraded` once the connection is a websocket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, upgraded: () => void): void;
  /**
   * Ends every upgraded connection. stop() awaits it first: the HTTP server no longer tracks upgraded sockets, so
   * closeAllConnections() misses them and close() would wait for them forever.
   */
  closeAll(): Promise<void>;
}

export interface SandboxDefinition {
  /** "mattermost", "jira", "zoom", "opsgenie". */
  name: string;
  /** The body this system sends with an error status, in its own shape. */
  errorBody(status: number, message: string): unknown;
  /** Registers the system's routes. */
  routes(router: Router): void;
  /** A JSON snapshot of what the system holds, for the inspection API. */
  state(): unknown;
  /** Forget everything (back to the seeded state). */
  reset(): void;
  /** Extra inspection routes under /_sandbox (e.g. Zoom's "expire every token"). */
  inspectionRoutes?(router: Router): void;
  /** HTTP upgrades (websockets), for a system that has them. */
  upgrade?: SandboxUpgradeHandler;
}

/** Sends JSON with exactly `Content-Type: application/json` (Mattermost's client parses nothing else as JSON). */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function redactHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    headers[name] = name === 'authorization' ? text.replace(/^(\S+)\s+.*$/, '$1 [redacted]') : text;
  }
  return headers;
}

/** The fields of an OAuth token request (a body with grant_type) that carry a credential: shown as "[redacted]". */
const SECRET_FIELDS = new Set(['client_secret', 'code', 'refresh_token', 'code_verifier', 'password']);

function redactBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('grant_type' in body)) return body;
  const fields = Object.entries(body as Record<string, unknown>);
  return Object.fromEntries(fields.map(([name, value]) => [name, SECRET_FIELDS.has(name) ? '[redacted]' : value]));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SandboxServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults: FaultRule[] = [];
  private server: Server | undefined;
  private nextFaultId = 1;
  url = '';

  constructor(readonly definition: SandboxDefinition) {}

  addFault(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...faultRuleSchema.parse(input), id: `fault-${this.nextFaultId++}`, matched: 0 };
    this.faults.push(rule);
    return rule;
  }

  clearFaults(): void {
    this.faults.splice(0);
  }

  reset(): void {
    this.definition.reset();
    this.requests.splice(0);
    this.clearFaults();
  }

  /** The first fault rule with uses left that matches the request, counted as used. */
  private takeFault(method: string, path: string): FaultRule | undefined {
    const fault = this.faults.find(
      (rule) =>
        (rule.times === undefined || rule.matched < rule.times) &&
        (!rule.method || rule.method === method) &&
        new RegExp(`^${rule.path}$`).test(path),
    );
    if (fault) fault.matched += 1;
    return fault;
  }

  /** Requests whose path matches, for assertions like "the issue was created exactly once". */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && path.test(r.path));
  }

  app(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    // Bodies are parsed leniently: each system's routes check what they need. Opsgenie even sends a JSON content type
    // on GETs without a body.
    app.use(express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }));
    app.use(express.urlencoded({ extended: false, limit: '1mb' }));

    const inspection = express.Router();
    inspection.get('/state', (_req, res) => sendJson(res, 200, this.definition.state()));
    inspection.get('/requests', (_req, res) => sendJson(res, 200, this.requests));
    inspection.post('/faults', (req, res) => {
      const parsed = faultRuleSchema.safeParse(req.body);
      if (!parsed.success) {
        sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        return;
      }
      sendJson(res, 201, this.addFault(parsed.data));
    });
    inspection.get('/faults', (_req, res) => sendJson(res, 200, this.faults));
    inspection.delete('/faults', (_req, res) => {
      this.clearFaults();
      sendJson(res, 200, { status: 'OK' });
    });
    inspection.post('/reset', (_req, res) => {
      this.reset();
      sendJson(res, 200, { status: 'OK' });
    });
    this.definition.inspectionRoutes?.(inspection);
    app.use('/_sandbox', inspection);

    app.use(async (req, res, next) => {
      const received = performance.now();
      const record: RecordedRequest = {
        at: new Date().toISOString(),
        method: req.method,
        path: req.path,
        query: { ...req.query },
        headers: redactHeaders(req),
        body: redactBody(req.body),
        receivedAtMs: performance.timeOrigin + received,
      };
      this.requests.push(record);
      res.on('finish', () => {
        record.status = res.statusCode;
        record.durationMs = performance.now() - received;
      });
      const fault = this.takeFault(req.method, req.path);
      if (!fault) return next();
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status) {
        if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
        sendJson(res, fault.status, this.definition.errorBody(fault.status, fault.message ?? `injected fault ${fault.status}`));
        return;
      }
      next();
    });

    const router = express.Router();
    this.definition.routes(router);
    app.use(router);
    app.use((req, res) => sendJson(res, 404, this.definition.errorBody(404, `no route ${req.method} ${req.path}`)));
    // A body that is not JSON, or a bug in a fake route, still gets the system's JSON error shape: some clients
    // (opsgenie-sdk) crash on a non-JSON error body.
    const onError: ErrorRequestHandler = (error: { status?: number; message?: string }, _req, res, _next) => {
      const status = typeof error.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
      sendJson(res, status, this.definition.errorBody(status, error.message ?? 'sandbox error'));
    };
    app.use(onError);
    return app;
  }

  async start(options: { host?: string; port?: number } = {}): Promise<string> {
    const host = options.host ?? '127.0.0.1';
    const app = this.app();
    this.server = await new Promise<Server>((resolve, reject) => {
      const server = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(server)));
    });
    const upgrade = this.definition.upgrade;
    if (upgrade) {
      this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        this.onUpgrade(upgrade, req, socket, head).catch(() => socket.destroy());
      });
    }
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://${host}:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await this.definition.upgrade?.closeAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** An upgrade request: recorded and subject to faults like any request, then handed to the system's handler. */
  private async onUpgrade(handler: SandboxUpgradeHandler, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client that goes away mid-handshake must not crash the sandbox with an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const record: RecordedRequest = {
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: redactHeaders(req),
      body: undefined,
    };
    this.requests.push(record);
    const refuse = (status: number, message: string, retryAfterSeconds?: number) => {
      record.status = status;
      const text = JSON.stringify(this.definition.errorBody(status, message));
      const retryAfter = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\n${retryAfter}Connection: close\r\n\r\n${text}`,
      );
    };
    if (url.pathname !== handler.path) {
      refuse(404, `no route ${record.method} ${url.pathname}`);
      return;
    }
    const fault = this.takeFault(record.method, url.pathname);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.drop) {
      socket.destroy();
      return;
    }
    if (fault?.status) {
      refuse(fault.status, fault.message ?? `injected fault ${fault.status}`, fault.retryAfterSeconds);
      return;
    }
    handler.handleUpgrade(req, socket, head, () => (record.status = 101));
  }
}
