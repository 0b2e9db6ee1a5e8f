'use strict';

const http = require('node:http');
const { createApp } = require('./app');
const pkg = require('../package.json');

/** Starts the HTTP server; resolves once it listens. */
function start(port = Number(process.env.PORT ?? 8080)) {
  const server = http.createServer(
    createApp({ name: pkg.name, version: pkg.version }),
  );
  return new Promise(resolve => server.listen(port, () => resolve(server)));
}

if (require.main === module) {
  start().then(server => {
    console.log(`${pkg.name} listens on port ${server.address().port}`);
    // Kubernetes sends SIGTERM before it stops a pod: finish open requests.
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  });
}

module.exports = { start };
