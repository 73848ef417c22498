let stopping = false;

/** True once SIGTERM/SIGINT started a graceful stop: readiness answers 503 so a load balancer stops sending. */
export function isShuttingDown(): boolean {
  return stopping;
}

/**
 * Graceful stop on SIGTERM/SIGINT: close the app (finish in-flight work, commit, disconnect) and
 * exit 0; if closing takes longer than `timeoutMs`, exit 1 rather than hang. Nest's own shutdown
 * hooks re-raise the signal instead, so the process would end "killed" even when all went well.
 */
export function exitOnSignals(app: { close(): Promise<void> }, log: (msg: string) => void, timeoutMs = 25000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    stopping = true;
    log(`${signal} received: shutting down`);
    setTimeout(() => {
      log(`shutdown took longer than ${timeoutMs} ms: exiting`);
      process.exit(1);
    }, timeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
