/** The simulator's HTTP server: routes requests to OAuth, API and control handlers. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { childLogger } from '../log.js';
import type { SimulatorCore } from './core.js';
import { sendJson } from './http.js';
import { handleApi } from './routes-api.js';
import { handleControl } from './routes-control.js';
import { handleAuthorize, handleToken } from './routes-oauth.js';
import { handleMedia } from './routes-security.js';

const log = childLogger('simulator');

export function createSimulatorServer(core: SimulatorCore): Server {
  return createServer((req, res) => {
    route(core, req, res).catch((error: unknown) => {
      log.error('simulator request failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 11, message: 'Internal error' } });
      else res.destroy();
    });
  });
}

async function route(core: SimulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/oauth2/authorize' && (req.method === 'GET' || req.method === 'POST')) {
    return handleAuthorize(core, url, req, res);
  }
  if (path === '/oauth2/token' && req.method === 'POST') return handleToken(core, req, res);
  const api = /^\/api\/([a-z_]+)$/i.exec(path);
  if (api?.[1] && (req.method === 'POST' || req.method === 'GET'))
    return handleApi(core, api[1], url, req, res);
  if (handleMedia(core, path, req, res)) return;
  if (path.startsWith('/__sim/')) return handleControl(core, path, url, req, res);
  sendJson(res, 404, { error: { code: 31, message: 'Method not found' } });
}
