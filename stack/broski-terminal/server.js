'use strict';
// BROski Terminal: the HyperCode V2.0 web front end (Node.js, no framework).
//   GET /        the terminal page (title "BROski Terminal")
//   GET /health  JSON liveness for the container healthcheck
//   anything else: 404
const http = require('http');
const fs = require('fs');
const path = require('path');

let escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
try {
  // lodash is the declared dependency (see package.json); used when node_modules is present.
  escape = require('lodash').escape;
} catch (err) {
  console.log('lodash not installed; using built-in escaping');
}

const PORT = Number(process.env.PORT || 3000);
const VERSION = process.env.APP_VERSION || '2.0.0';
const template = fs.readFileSync(path.join(__dirname, 'public', 'index.html'), 'utf8');
const page = template.replace(/\{\{VERSION\}\}/g, escape(VERSION));

function send(res, status, type, body) {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
  }
  if (url.pathname === '/' || url.pathname === '/index.html') {
    return send(res, 200, 'text/html; charset=utf-8', page);
  }
  if (url.pathname === '/health') {
    return send(res, 200, 'application/json', JSON.stringify({ status: 'ok', service: 'broski-terminal', version: VERSION }));
  }
  return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
});

server.listen(PORT, '0.0.0.0', () => console.log(`BROski Terminal ${VERSION} listening on :${PORT}`));
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
