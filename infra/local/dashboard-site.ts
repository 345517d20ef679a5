import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StaticSite } from './http-adapter.js';

const root = fileURLToPath(new URL('../../dashboard/', import.meta.url));
const chartJs = fileURLToPath(new URL('../../node_modules/chart.js/dist/chart.umd.min.js', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The operations dashboard's static files (in AWS they are served from S3 behind CloudFront). */
export function dashboardSite(): StaticSite {
  return {
    async serve(path: string, response: ServerResponse) {
      const file =
        path === '/vendor/chart.umd.min.js'
          ? chartJs
          : join(root, normalize(path === '/' ? '/index.html' : path));
      if (file !== chartJs && !file.startsWith(root)) return false;
      try {
        const body = await readFile(file);
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        response.end(body);
        return true;
      } catch {
        return false;
      }
    },
  };
}
