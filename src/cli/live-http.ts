import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LiveMonitor } from '../pipelines/live-monitor.js';
import { prometheusText, PROMETHEUS_CONTENT_TYPE } from '../pipelines/prometheus.js';

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

/**
 * The node's operational endpoint on 127.0.0.1 (never another interface: put a proxy in front to expose it):
 * `GET /healthz` answers the monitor's status as JSON (503 once the node stopped), `GET /metrics` the same in
 * Prometheus text format. The only input is the path; everything else is 404 or 405.
 */
export function startStatusServer(port: number, monitor: LiveMonitor): Promise<StatusServer> {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const head = req.method === 'HEAD';
    if (path !== '/healthz' && path !== '/metrics') {
      send(res, 404, 'application/json', JSON.stringify({ error: `not found: ${path} (try /healthz or /metrics)` }), head);
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'application/json', JSON.stringify({ error: `method ${req.method} not allowed` }), false);
      return;
    }
    const status = monitor.status();
    if (path === '/metrics') send(res, 200, PROMETHEUS_CONTENT_TYPE, prometheusText(status), head);
    else send(res, status.phase === 'stopped' ? 503 : 200, 'application/json', `${JSON.stringify(status)}\n`, head);
  };
  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
