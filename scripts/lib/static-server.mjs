// A small static file server for web/ (and dist/): used by scripts/serve and the browser tests.
// No dependencies. Usage as a program: node scripts/lib/static-server.mjs [root] [port]
// As a module: const server = await serveStatic({ root, port: 0 }); server.url; await server.close();
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serves `root` on 127.0.0.1. Options: port (0 = any free port), headers (added to every
 * response, e.g. a Content-Security-Policy), mime (overrides by extension, e.g. to serve .wasm
 * with a wrong type), onRequest(path) (to count fetches in tests).
 */
export function serveStatic({ root, port = 0, host = '127.0.0.1', headers = {}, mime = {}, onRequest } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let path = decodeURIComponent(url.pathname);
      onRequest?.(path);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const ext = extname(file);
      res.writeHead(200, {
        'Content-Type': mime[ext] ?? MIME[ext] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    }
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolveListen({
        url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${actual}/`,
        port: actual,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'web';
  const port = Number(process.argv[3] ?? 8000);
  const server = await serveStatic({ root, port }).catch((error) => {
    console.error(`could not serve ${root} on port ${port}: ${error.message}`);
    process.exit(1);
  });
  console.log(`Serving ${resolve(root)} on ${server.url} (press Ctrl+C to stop)`);
}
