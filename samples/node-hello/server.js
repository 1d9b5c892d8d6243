'use strict';

// DeployMind sample: Node.js with only the built-in http module (no packages to download).
// Env: PORT (default 3000), HOST (default 0.0.0.0), APP_VERSION (default "dev"),
//      FAIL_HEALTH=1 -> /health answers 503, CRASH_ON_START=1 -> exit 1 at start, SLOW_MS=N -> delay every response.
const http = require('http');

if (process.env.CRASH_ON_START === '1') {
  console.error('CRASH_ON_START=1: exiting with code 1');
  process.exit(1);
}

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';
const version = process.env.APP_VERSION || 'dev';
const slowMs = Number(process.env.SLOW_MS || 0);

function respond(req, res) {
  if (req.method === 'GET' && req.url === '/health') {
    const failing = process.env.FAIL_HEALTH === '1';
    res.writeHead(failing ? 503 : 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: failing ? 'failing' : 'ok', version }));
    return;
  }
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>node-hello</title><h1>Hello from node-hello</h1><p>version ${version}</p>\n`);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: 'not found' }));
}

const server = http.createServer((req, res) => {
  if (slowMs > 0) {
    setTimeout(() => respond(req, res), slowMs);
  } else {
    respond(req, res);
  }
});

server.listen(port, host, () => {
  console.log(`node-hello ${version} listening on http://${host}:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`${signal} received, shutting down`);
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
