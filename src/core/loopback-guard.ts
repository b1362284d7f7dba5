import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What any local process can hold of the loopback listener. Every process on the machine can connect to
 * it: unbounded, a flood of idle connections used up the CLI's open files (so the browser's connection
 * was accepted and dropped, and the token request could not have been made), and a connection that sent
 * half a request kept its file forever.
 */
export interface ListenerLimits {
  /** Connections kept at once. A new one beyond it closes the oldest. */
  maxConnections: number;
  /** A connection must have sent its request line and headers this long after it opened (slowloris). */
  headersTimeoutMs: number;
  /** ...and its whole request, body included. */
  requestTimeoutMs: number;
}

/** A browser opens a handful of connections and sends its request at once: these bounds never touch it. */
export const LISTENER_LIMITS: ListenerLimits = { maxConnections: 128, headersTimeoutMs: 5_000, requestTimeoutMs: 10_000 };

/** Node's own bounds for the listener's HTTP server: the timeouts above, checked often enough to matter. */
export function serverOptions(limits: ListenerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the two timeouts every 30 s by default: a slowloris would keep its file that long.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    // Every answer says "connection: close"; this is the bound should one not.
    keepAliveTimeout: 1_000,
    // A request without Host is refused by the listener itself (421), and counted when it was for the path.
    requireHostHeader: false,
  };
}

export interface ConnectionGuard {
  /** The connection carrying the response that was taken: never closed to make room. */
  keep(socket: Socket): void;
  /** How many connections were closed to make room for newer ones. */
  evicted(): number;
  /** Is a connection open that may still bring a request (any but the one kept)? */
  pending(): boolean;
  /** Closes every connection that is not answering a request (the listener is done with them). */
  closeIdle(): void;
}

/**
 * Caps the listener's connections at `maxConnections`. A new connection beyond the cap is not refused —
 * that would let a flood lock the browser out — but closes the oldest one, whatever it is doing (idle,
 * half a request, a body that trickles in), except the connection of the response that was taken. A
 * flood thus loses its own connections, and the browser, whose request comes with its connection, is
 * answered long before it is the oldest of anything: under a flood that reopens every closed connection
 * at once, a request sent within some tens of milliseconds of connecting still gets in. Nothing here
 * counts as a stray request: a connection that sends none is not one.
 */
export function guardConnections(server: Server, limits: ListenerLimits, onFlood: (limit: number) => void): ConnectionGuard {
  // A Map iterates in insertion order: the first entry is the oldest connection.
  const open = new Map<Socket, { requesting: boolean; kept: boolean }>();
  let evicted = 0;

  const evictOldest = (): boolean => {
    let victim: Socket | undefined;
    for (const [socket, state] of open) {
      if (state.kept) continue;
      victim = socket;
      break;
    }
    if (!victim) return false;
    open.delete(victim);
    victim.destroy();
    evicted += 1;
    if (evicted === 1) onFlood(limits.maxConnections);
    return true;
  };

  server.on('connection', (socket: Socket) => {
    open.set(socket, { requesting: false, kept: false });
    socket.once('close', () => open.delete(socket));
    while (open.size > limits.maxConnections && evictOldest());
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = open.get(req.socket);
    if (!state) return;
    state.requesting = true;
    res.once('close', () => (state.requesting = false));
  });

  return {
    keep(socket) {
      const state = open.get(socket);
      if (state) state.kept = true;
    },
    evicted: () => evicted,
    pending: () => [...open.values()].some((state) => !state.kept),
    closeIdle() {
      for (const [socket, state] of open) if (!state.requesting && !state.kept) socket.destroy();
    },
  };
}
