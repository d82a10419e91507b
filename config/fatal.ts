/**
 * What a process prints when it cannot start: the reason in plain words, no stack trace. Errors we expect at start-up
 * (bad configuration, missing CLI, busy port, unreachable Temporal) all carry messages written for the operator.
 */
export function exitWithStartupError(what: string, error: unknown): never {
  const code = (error as { code?: string } | null)?.code;
  const message =
    code === 'EADDRINUSE'
      ? `${(error as Error).message}: the port is in use by another program; pick another with API_PORT`
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`${what} could not start: ${message}`);
  process.exit(1);
}
