/**
 * The local HTTP front door: turns each request into the API Gateway (v2 payload) event the Lambda
 * would receive and calls the same handler, so local and AWS share one request path. Local-only
 * routes (the development identity provider, simulator introspection) are mounted beside it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ApiEvent, ApiHandler, ApiResult } from '../../functions/api/http.ts';
import { ProblemError, problemResponse } from '../../functions/api/problem.ts';
import { API_ROUTES, type ApiRoute } from '../../functions/api/routes.ts';

export interface LocalRoute<D> {
  route: ApiRoute;
  handler: ApiHandler<D>;
}

/** A local-only route; gets the parsed body (JSON or undefined) and answers with a result. */
export type ExtraRoute = (request: { method: string; path: string; body: Buffer }) => Promise<ApiResult | undefined>;

interface CompiledRoute<D> extends LocalRoute<D> {
  pattern: RegExp;
  names: string[];
}

const compile = <D>(entry: LocalRoute<D>): CompiledRoute<D> => {
  const names: string[] = [];
  const source = entry.route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...entry, pattern: new RegExp(`^${source}$`), names };
};

const readBody = (request: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean; size: number }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep reading (so the client gets an answer) but stop buffering past the limit.
      if (size <= limit + 1) chunks.push(chunk);
    });
    request.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > limit, size }));
    request.on('error', reject);
  });

const toEvent = (request: IncomingMessage, url: URL, route: CompiledRoute<unknown>, params: Record<string, string>, body: Buffer): ApiEvent => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query = Object.fromEntries(url.searchParams.entries());
  const now = new Date();
  const routeKey = `${route.route.method} ${route.route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(route.names.length > 0 ? { pathParameters: params } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: request.method ?? 'GET', path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp: request.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
};

const send = (response: ServerResponse, result: ApiResult): void => {
  const headers: Record<string, string | number | boolean> = { 'x-content-type-options': 'nosniff', ...(result.headers ?? {}) };
  response.writeHead(result.statusCode ?? 200, headers as Record<string, string>);
  response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
};

export interface LocalApiServerOptions<D> {
  routes: LocalRoute<D>[];
  deps: () => D;
  extraRoutes?: ExtraRoute[];
  maxBodyBytes: number;
  onError: (error: unknown) => void;
}

/** Creates (does not start) the server. Every answer it gives itself is a problem document too. */
export function createLocalApiServer<D>(options: LocalApiServerOptions<D>): Server {
  const routes = options.routes.map(compile);
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://local');
      const { body, tooLarge, size } = await readBody(request, options.maxBodyBytes);
      if (tooLarge) {
        return send(response, problemResponse(new ProblemError('body-too-large', 'Request body too large', `the body is ${size} bytes; the limit is ${options.maxBodyBytes} bytes`, { limit: options.maxBodyBytes })));
      }
      for (const extra of options.extraRoutes ?? []) {
        const result = await extra({ method: request.method ?? 'GET', path: url.pathname, body });
        if (result) return send(response, result);
      }
      const matching = routes.filter((r) => r.pattern.test(url.pathname));
      const route = matching.find((r) => r.route.method === request.method);
      if (!route) {
        if (matching.length === 0) return send(response, problemResponse(new ProblemError('not-found', 'Not found', `no route for ${url.pathname.slice(0, 200)}`)));
        const allow = matching.map((r) => r.route.method).join(', ');
        return send(response, problemResponse(new ProblemError('method-not-allowed', 'Method not allowed', `${request.method} is not allowed here; allowed: ${allow}`, {}, { allow })));
      }
      const match = route.pattern.exec(url.pathname)!;
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      } catch {
        return send(response, problemResponse(new ProblemError('not-found', 'Not found', 'the path is not valid percent-encoding')));
      }
      send(response, await route.handler(toEvent(request, url, route as CompiledRoute<unknown>, params, body), options.deps()));
    })().catch((error: unknown) => {
      options.onError(error);
      if (!response.headersSent) send(response, problemResponse(new ProblemError('internal', 'Internal error', 'The platform could not complete the request. The failure has been logged.')));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  return server;
}

/** The route table with handler ids → the local handlers (every route must have one). */
export function bindRoutes<D>(handlers: Record<string, ApiHandler<D>>): LocalRoute<D>[] {
  return API_ROUTES.map((route) => {
    const handler = handlers[route.id];
    if (!handler) throw new Error(`no local handler for API route '${route.id}'`);
    return { route, handler };
  });
}
