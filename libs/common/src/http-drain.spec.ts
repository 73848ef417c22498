import { createServer, Server } from 'http';
import { connect, Socket } from 'net';
import { HttpDrain } from './http-drain';

/** A raw client connection, so the test decides when the request bytes go out. */
function open(port: number): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    const ended = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, ended }));
    socket.once('error', reject);
  });
}

const GET = 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n';

describe('HttpDrain', () => {
  let server: Server;
  let drain: HttpDrain;
  let port: number;

  beforeEach(async () => {
    server = createServer((req, res) => {
      const delay = req.url === '/slow' ? 150 : 0;
      setTimeout(() => res.end('done'), delay);
    });
    drain = new HttpDrain(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });

  afterEach(() => server.closeAllConnections());

  it('finishes a request in progress, answering it with Connection: close', async () => {
    const client = await open(port);
    client.socket.write(GET);
    await new Promise((r) => setTimeout(r, 30)); // the request is being handled
    await drain.drain(0, 1000);
    await client.ended;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(client.received()).toMatch(/connection: close/i);
    expect(client.received()).toMatch(/done$/);
  });

  it('serves a request sent on an idle connection within the grace period', async () => {
    const client = await open(port);
    const drained = drain.drain(0, 1000);
    client.socket.write(GET);
    await drained;
    await client.ended;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(client.received()).toMatch(/done$/);
  });

  it('ends connections that stay idle past the grace period, then resolves', async () => {
    const client = await open(port);
    const started = Date.now();
    await drain.drain(0, 100);
    await client.ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(client.received()).toBe('');
  });

  it('accepts no new connection once draining', async () => {
    const busy = await open(port);
    busy.socket.write(GET);
    await new Promise((r) => setTimeout(r, 10));
    const drained = drain.drain(0, 1000);
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/);
    await drained;
  });

  it('keeps accepting for acceptMs, answering with Connection: close', async () => {
    const drained = drain.drain(200, 1000);
    await new Promise((r) => setTimeout(r, 50));
    const late = await open(port);
    late.socket.write(GET);
    await late.ended;
    expect(late.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(late.received()).toMatch(/connection: close/i);
    await drained;
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
