import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the answer out of Fastify's hands to write it by hand (an event stream), starting it with
 * the headers the request hook already gave this reply (X-Request-Id, the security headers, CORS)
 * and then the route's own. Fastify keeps those in the reply, not in the raw response, so a plain
 * `reply.raw.writeHead` would leave without them (API.md: every answer carries the same headers).
 */
export function hijackWithHeaders(reply: FastifyReply, status: number, own: OutgoingHttpHeaders): FastifyReply['raw'] {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  for (const [name, value] of Object.entries(own)) headers[name.toLowerCase()] = value;
  reply.hijack();
  reply.raw.writeHead(status, headers);
  return reply.raw;
}
