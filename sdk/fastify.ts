// Fastify adapter. Types only come from fastify (erased at run time); drop this
// file if you copy the SDK into a project without Fastify.
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_BODY_BYTES, type NoticeHandlerOptions } from './handler.ts';
import { rawBodyFrom, toNoticeHandler, type NoticeHandlerInput } from './node.ts';

const FORM = 'application/x-www-form-urlencoded';

/**
 * A route handler. Fastify does not parse form bodies by itself: register
 * fastifyPlugin instead, or a form parser (@fastify/formbody, or one that keeps
 * the body as a string) before using this directly.
 */
export function fastifyHandler(input: NoticeHandlerInput): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const handle = toNoticeHandler(input);
  return async (request, reply) => {
    const { status, body } = await handle(rawBodyFrom(request.body) ?? '', request.headers);
    return reply.code(status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(body);
  };
}

export interface FastifyNoticeOptions extends NoticeHandlerOptions {
  /** Route path inside the plugin's prefix; "/" by default. */
  readonly path?: string;
}

/**
 * `app.register(fastifyPlugin, {prefix: '/paydesk/notices', appKey, secret, …})`.
 * The form parser it adds keeps the body as a string (byte-exact for the
 * webhook signature) and, being inside the plugin, touches no other route.
 */
export const fastifyPlugin: FastifyPluginCallback<FastifyNoticeOptions> = (app, options, done) => {
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, parsed) => parsed(null, body));
  }
  app.post(options.path ?? '/', fastifyHandler(options));
  done();
};
