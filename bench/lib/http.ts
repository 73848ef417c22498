import { Agent, request } from 'http';

/** Keep-alive connections, as a real client would hold; node:http costs the bench far less CPU than fetch. */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  return send('POST', url, body, headers);
}

/** The same with PATCH (the JSON Patch writes). */
export function patch(url: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  return send('PATCH', url, body, headers);
}

function send(method: string, url: string, body: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const traceIdOf = (reply: Reply): string => String(reply.headers.traceparent ?? '').split('-')[1] ?? '';

/**
 * POST /openapi/v1/trace/write/{traceId} with the flags given (onlyIncludeErrors=false and waitMs=0 unless said
 * otherwise: the benches time the immediate answer, not the server's default wait for a PENDING write).
 */
export function trace(
  base: string,
  traceId: string,
  body: string,
  flags: Record<string, boolean | number> = {},
  headers: Record<string, string> = {},
): Promise<Reply> {
  const qs = new URLSearchParams(Object.entries({ onlyIncludeErrors: false, waitMs: 0, ...flags }).map(([k, v]): [string, string] => [k, String(v)]));
  return post(`${base}/openapi/v1/trace/write/${traceId}?${qs}`, body, headers);
}

export function closeHttp(): void {
  agent.destroy();
}
