// opsgenie-sdk ships no types; these are the calls the adapter makes (callback style, per-call request options).
declare module 'opsgenie-sdk' {
  type Callback = (error: (Record<string, unknown> & { httpStatusCode?: number; message?: string }) | null, response: unknown) => void;
  type Identifier = { identifier: string; identifierType: 'id' | 'alias' | 'tiny' };
  interface AlertV2 {
    create(data: Record<string, unknown>, config: Record<string, unknown>, cb: Callback): void;
    get(identifier: Identifier, config: Record<string, unknown>, cb: Callback): void;
    close(identifier: Identifier, data: Record<string, unknown>, config: Record<string, unknown>, cb: Callback): void;
    getRequestStatus(requestId: string, config: Record<string, unknown>, cb: Callback): void;
  }
  const opsgenie: { configure(options: { api_key: string; host?: string }): void; alertV2: AlertV2 };
  export default opsgenie;
}
