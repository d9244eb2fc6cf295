// The gate logs to standard output and error. When whatever read them goes away
// (a supervisor restarted, a `| tee` ended), the next line written fails with
// EPIPE, which without a listener is an uncaught error: the process died at its
// next log line, and on SIGTERM it died that way before stopping its embedded Redis.
// Lines nobody can read are dropped instead; serving goes on.
export function surviveClosedLogPipe(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
