// The OpenAPI document is generated from the same zod schemas that validate
// requests, so the docs cannot drift from what the server accepts.
import { z } from 'zod';
import { routes, ErrorBody, type RouteSpec } from '../../contract/api.ts';
import { errorCatalogue } from '../../contract/errors.ts';
import { CONSOLE_COOKIE } from './console-login.ts';

const security: Readonly<Record<RouteSpec['auth'], readonly Record<string, never[]>[]>> = {
  console: [{ consoleToken: [] }, { consoleSession: [] }],
  token: [{ consoleToken: [] }],
  login: [],
  public: [],
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(routes) as [string, RouteSpec][]) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? Object.entries((jsonSchema(r.query, 'input') as { properties?: Record<string, unknown> }).properties ?? {})
      .map(([qn, schema]) => ({ name: qn, in: 'query', required: false, schema })) : [];
    const op: Record<string, unknown> = {
      operationId: name,
      summary: r.summary,
      tags: [r.path.startsWith('/v1') ? 'public' : r.path.split('/')[2]],
      security: security[r.auth],
      parameters: [
        ...params, ...query,
        ...(r.method !== 'GET' && !r.safe ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }] : []),
      ],
      responses: {
        [String(r.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } },
        default: { description: 'An error with a stable code (see x-error-codes)', content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } } },
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Paydesk provider API', version: '1', description: 'Console API (bearer token or the browser console\'s session, loopback only) and the public payment API for merchant pages.' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        consoleToken: { type: 'http', scheme: 'bearer', description: 'The token in <data-dir>/admin-token' },
        consoleSession: {
          type: 'apiKey', in: 'cookie', name: CONSOLE_COOKIE,
          description: 'The browser console\'s session, set by POST /api/console/session; counts only on requests a browser marks Sec-Fetch-Site: same-origin',
        },
      },
    },
    paths,
    'x-error-codes': Object.entries(errorCatalogue).map(([code, s]) => ({ code, status: s.status, message: s.message })),
  };
}
