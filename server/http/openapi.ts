// The OpenAPI document is generated from the same zod schemas that validate
// requests, so the docs cannot drift from what the server accepts; the pages and
// files served around the API come from the contract's `resources` table.
import { z } from 'zod';
import * as contract from '../../contract/api.ts';
import { resources, routes, ErrorBody, type ResourceSpec, type RouteSpec } from '../../contract/api.ts';
import { PaydeskEvent } from '../../contract/events.ts';
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

const componentUri = (id: string) => `#/components/schemas/${id}`;

/**
 * The answers' schemas as components: each entity the contract exports (App,
 * Purchase, NoticeDetail…) once, referenced wherever an answer holds it, and each
 * route's answer that is no entity as `<route>Response`. Inlined, the document
 * repeated every entity in every route that returns it.
 */
function answerComponents(): { readonly ref: (schema: z.ZodType) => { $ref: string }; readonly schemas: Record<string, unknown> } {
  // Request bodies and queries stay inline: they are read as input, and queries become parameters.
  const inputs = new Set([...Object.values(routes as Record<string, RouteSpec>).flatMap((r) => [r.body, r.query]), ...Object.values(resources as Record<string, ResourceSpec>).map((r) => r.query)]);
  const ids = new Map<z.ZodType, string>();
  for (const [name, v] of Object.entries({ ...contract, PaydeskEvent })) if (v instanceof z.ZodType && !inputs.has(v)) ids.set(v, name);
  for (const [name, r] of Object.entries(routes) as [string, RouteSpec][]) if (!ids.has(r.response)) ids.set(r.response, `${name}Response`);
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of ids) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io: 'output', unrepresentable: 'any', uri: componentUri });
  return {
    ref: (schema) => ({ $ref: componentUri(ids.get(schema)!) }),
    // Each component is a document of its own to zod: drop the per-document keys.
    schemas: Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema])),
  };
}

const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
const tagOf = (path: string) => (path.startsWith('/v1') ? 'public' : path.startsWith('/api/') ? path.split('/')[2] : 'pages');
/** Every operation's error answer: one component, referenced. */
const errorResponse = { $ref: '#/components/responses/Error' };

/** A query schema as OpenAPI parameters, each optional. */
function queryParams(query: z.ZodType | undefined): Record<string, unknown>[] {
  if (!query) return [];
  return Object.entries((jsonSchema(query, 'input') as { properties?: Record<string, unknown> }).properties ?? {})
    .map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
}

/** A page, file or stream served outside the route table: its content type, not a JSON schema. */
function resourceOperation(name: string, r: ResourceSpec): Record<string, unknown> {
  return {
    operationId: name,
    summary: r.summary,
    tags: [tagOf(r.path)],
    security: security[r.auth],
    parameters: [...pathParams(r.path), ...queryParams(r.query)],
    responses: {
      200: { description: 'OK', content: { [r.contentType]: { schema: r.contentType === 'application/json' ? { type: 'object' } : { type: 'string' } } } },
      default: errorResponse,
    },
  };
}

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const answers = answerComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(routes) as [string, RouteSpec][]) {
    const params = pathParams(r.path);
    const query = queryParams(r.query);
    const op: Record<string, unknown> = {
      operationId: name,
      summary: r.summary,
      tags: [tagOf(r.path)],
      security: security[r.auth],
      parameters: [
        ...params, ...query,
        ...(r.method !== 'GET' && !r.safe ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }] : []),
      ],
      responses: {
        [String(r.status ?? 200)]: {
          description: r.stream ? 'A stream of server-sent events, each message\'s data one of `schema`' : 'OK',
          content: { [r.stream ? 'text/event-stream' : 'application/json']: { schema: answers.ref(r.response) } },
        },
        default: errorResponse,
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  for (const [name, r] of Object.entries(resources) as [string, ResourceSpec][]) (paths[r.path] ??= {})[r.method.toLowerCase()] = resourceOperation(name, r);
  return {
    openapi: '3.1.0',
    info: { title: 'Paydesk provider API', version: '1', description: 'Console API (bearer token or the browser console\'s session, loopback only), the public payment API for merchant pages, and the pages and files served around them (tag pages).' },
    servers: [{ url: serverUrl }],
    components: {
      responses: {
        Error: { description: 'An error with a stable code (see x-error-codes)', content: { 'application/json': { schema: answers.ref(ErrorBody) } } },
      },
      schemas: answers.schemas,
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
