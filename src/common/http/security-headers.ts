import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { HelmetOptions } from 'helmet';

/**
 * JSON answers of the API: the headers that protect a non-HTML response (OWASP REST Security
 * Cheat Sheet), as helmet writes them. Helmet's headers for HTML pages (cross-origin isolation,
 * DNS prefetching, IE download and Flash policies, the legacy XSS filter) mean nothing to a JSON
 * body and cost more per request than the rest of the plumbing together, so they go only with
 * the documentation pages. The policy is the strictest: nothing may load, nothing may frame it.
 */
const API_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * The Swagger UI at /docs: helmet's full set, with the inline bootstrap script and styles it needs.
 * Without helmet's default `upgrade-insecure-requests`: the UI is often opened over plain HTTP by
 * IP on a private network, where that directive makes the browser ask for the UI's own scripts
 * over HTTPS and show a blank page (API.md, "Input and limits"). HSTS stays; it only takes effect
 * once a browser has reached the host over HTTPS.
 */
const DOCUMENTATION_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      upgradeInsecureRequests: null,
    },
  },
};

export interface SecurityHeaders {
  api: Record<string, string>;
  documentation: Record<string, string>;
}

/**
 * helmet's headers computed once, to be set as one object per request: helmet's own middleware
 * (and @fastify/helmet, which rebuilds it per request) cost far more on a hot path.
 */
export function securityHeaders(): SecurityHeaders {
  return { api: headersOf(API_OPTIONS), documentation: headersOf(DOCUMENTATION_OPTIONS) };
}

function headersOf(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}
