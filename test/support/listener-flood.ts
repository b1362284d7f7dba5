// A local process flooding a loopback listener with TCP connections, as any process on the machine can:
// idle ones that send nothing, and slowloris ones that send half a request and then a header line now and
// then, never finishing it. Every connection the listener closes is opened again at once while the flood
// lasts, so the listener never gets a quiet moment (test/e2e/hardening-loopback.test.ts, break 13).
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export interface FloodOptions {
  /** Connections to hold open at once. */
  connections: number;
  /** How many times, in all, a connection the listener closed is opened again (bounds the test's work). */
  reopen: number;
}

export interface Flood {
  /** Every connection has been opened once and has connected or been refused. */
  established: Promise<void>;
  /** Connections the listener closed or refused while the flood lasted. */
  closed(): number;
  stop(): void;
}

export function flood(port: number, options: FloodOptions): Flood {
  let active = true;
  let closed = 0;
  let reopens = 0;
  let pending = options.connections;
  let settle!: () => void;
  const established = new Promise<void>((resolve) => (settle = resolve));
  const sockets = new Set<Socket>();
  const slow = new Set<Socket>();
  const open = (slot: number, first: boolean) => {
    const socket = connect({ host: '127.0.0.1', port });
    sockets.add(socket);
    let counted = !first;
    const once = () => {
      if (counted) return;
      counted = true;
      if (--pending === 0) settle();
    };
    socket.on('connect', () => {
      once();
      if (slot % 3 === 1) {
        socket.write(`GET /callback?code=slow-${slot} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n`);
        slow.add(socket);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      once();
      sockets.delete(socket);
      slow.delete(socket);
      if (!active) return;
      closed += 1;
      if (reopens < options.reopen) {
        reopens += 1;
        setImmediate(() => active && open(slot, false));
      }
    });
  };
  for (let slot = 0; slot < options.connections; slot++) open(slot, true);
  // Slowloris: a header line every half second, so no connection is ever idle for long.
  const drip = setInterval(() => {
    for (const socket of slow) socket.write(`x-drip: ${Date.now()}\r\n`);
  }, 500);
  return {
    established,
    closed: () => closed,
    stop() {
      active = false;
      clearInterval(drip);
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** How many files (sockets included) the process has open, from /proc; undefined once it is gone. */
export function openFiles(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}
