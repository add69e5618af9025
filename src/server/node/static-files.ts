/**
 * Serves the built web app (dist/web) for non-/api paths, with the single-page-app fallback:
 * a path that is not a file gets index.html, so reloads and deep links such as /ssh-keys work.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

async function readRegularFile(file: string): Promise<Buffer | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : null;
  } catch {
    return null;
  }
}

/**
 * Creates the static file handler for `root`. Paths are resolved inside `root` only; `..`
 * and encoded separators never leave it.
 */
export function createStaticFiles(root: string): (request: Request) => Promise<Response | null> {
  const base = path.resolve(root);
  return async (request) => {
    const url = new URL(request.url);
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return null;
    }
    if (pathname.includes('\0') || pathname.includes('\\')) return null;
    const file = path.resolve(base, `.${path.posix.normalize(pathname)}`);
    if (file !== base && !file.startsWith(`${base}${path.sep}`)) return null;

    let body = file === base ? null : await readRegularFile(file);
    let served = file;
    if (body === null) {
      // Only page-like paths fall back to the app; a missing /assets/x.js stays a 404.
      if (path.extname(pathname) !== '' && path.extname(pathname) !== '.html') return null;
      served = path.join(base, 'index.html');
      body = await readRegularFile(served);
      if (body === null) {
        return new Response(
          'The web app is not built. Run "npm run build" (or use npm start), then reload.\n',
          { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
        );
      }
    }
    const type = CONTENT_TYPES[path.extname(served)] ?? 'application/octet-stream';
    // Vite's hashed assets never change; pages must be revalidated to pick up a new build.
    const cache = served.includes(`${path.sep}assets${path.sep}`)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': type,
        'Cache-Control': cache,
        'Content-Length': String(body.length),
      },
    });
  };
}
