import type { IncomingMessage, Server, ServerResponse } from 'http';
import { Server as NetServer, Socket } from 'net';

/**
 * Stops an HTTP server without failing a request a client already sent.
 *
 * Node's `server.close()` destroys every connection that has no request in progress, including one
 * whose request is still in its receive buffer, unparsed: the client sees ECONNRESET for a write it
 * sent before the shutdown; and closing the listener at once resets the connections still waiting in
 * the kernel's accept queue, whose clients may have sent their requests too. Instead, `drain()` answers
 * every response from then on with `Connection: close`, keeps accepting for `acceptMs` (the queue
 * empties; a load balancer notices), then stops accepting, gives connections without a request
 * `idleGraceMs` to deliver one (served the same way) and ends those still idle.
 */
export class HttpDrain {
  /** Requests in progress per open connection. */
  private readonly sockets = new Map<Socket, number>();
  private readonly inFlight = new Set<ServerResponse>();
  private closing = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, 0);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.track(req.socket, res));
  }

  /** Resolves once every connection is closed. */
  async drain(acceptMs = 0, idleGraceMs = 1000): Promise<void> {
    this.closing = true;
    for (const res of this.inFlight) closeAfter(res);
    if (acceptMs > 0) await new Promise((r) => setTimeout(r, acceptMs));
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    const timer = setTimeout(() => {
      for (const [socket, requests] of this.sockets) if (requests === 0) socket.destroy();
    }, idleGraceMs);
    timer.unref();
    return closed.finally(() => clearTimeout(timer));
  }

  private track(socket: Socket, res: ServerResponse): void {
    this.sockets.set(socket, (this.sockets.get(socket) ?? 0) + 1);
    this.inFlight.add(res);
    if (this.closing) closeAfter(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      const requests = this.sockets.get(socket);
      if (requests === undefined) return; // the connection is gone already
      this.sockets.set(socket, requests - 1);
      if (this.closing && requests === 1) socket.end();
    });
  }
}

/** The response, when it goes out, tells the client this connection ends with it. */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
