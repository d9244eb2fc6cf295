// Whether something accepts TCP connections on a loopback port: how a test tells
// that a server (a redis-server, which refuses HTTP while alive) has stopped.
import { createConnection } from 'node:net';

export function portAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
