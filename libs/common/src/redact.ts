/**
 * What an answer may tell a stranger about a failure: the message without the server's addresses and paths.
 * `connect ECONNREFUSED 10.1.2.3:9092` -> `connect ECONNREFUSED <address>`, `/srv/app/dist/x.js` -> `<path>`.
 * Applied to every dependency message that reaches an HTTP answer (503s, a trace's UNKNOWN); the logs keep it whole.
 */
export function redact(message: string): string {
  return (
    message
      // IPv4 or [IPv6] with an optional port, and host:port.
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '<address>')
      .replace(/\[[0-9a-fA-F:]+\](?::\d{1,5})?/g, '<address>')
      .replace(/\b(?:[a-zA-Z0-9-]+\.)*[a-zA-Z][a-zA-Z0-9-]*:\d{2,5}\b/g, '<address>')
      // Absolute file paths (and file:// URLs).
      .replace(/(?:file:\/\/)?(?<![\w.])\/(?:[\w.@-]+\/)+[\w.@-]*/g, '<path>')
  );
}

/**
 * A stack frame relative to the project: `at f (/srv/app/dist/libs/x.js:1:2)` -> `at f (dist/libs/x.js:1:2)`; the
 * part before the project's own folders (dist, libs, apps, node_modules) is dropped, and any other absolute path
 * (a frame outside the project) is redacted.
 */
export function relativeFrame(frame: string): string {
  const relative = frame.replace(/(?:file:\/\/)?\/[^()\s]*?\/(?=(?:dist|libs|apps|node_modules)\/)/g, '');
  return relative.replace(/(?:file:\/\/)?(?<![\w.])\/(?:[\w.@-]+\/)+[\w.@-]*/g, '<path>');
}
