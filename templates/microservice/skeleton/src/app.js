'use strict';

/**
 * The service's HTTP handler: liveness and readiness probes for Kubernetes,
 * and the service's own routes. Add yours in `routes`.
 */
function createApp({ name, version }) {
  const routes = {
    'GET /': () => [200, { service: name, version }],
    'GET /healthz': () => [200, { status: 'ok' }],
    'GET /readyz': () => [200, { status: 'ready' }],
  };
  return (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const route = routes[`${req.method} ${pathname}`];
    const [status, body] = route ? route(req) : [404, { error: 'not found' }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

module.exports = { createApp };
