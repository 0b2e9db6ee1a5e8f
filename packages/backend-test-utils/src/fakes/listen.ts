import { Server } from 'net';

/**
 * Listens on 127.0.0.1 at `port` (0: any free port); rejects when it cannot
 * (EADDRINUSE), instead of leaving the error to an 'error' event.
 */
export function listenLocal(server: Server, port = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
