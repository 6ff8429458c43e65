import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { enableCors } from './common/http/cors';
import { envelopeHook } from './common/http/envelope';
import { assertHostPresent, clientErrorHandler, connectHandler, httpServerOptions } from './common/http/client-errors';
import { frameworkErrorHandler } from './common/http/framework-errors';
import { registerBodyParsers } from './common/http/body-parsers';
import { assertAcceptedMediaType } from './common/http/media-types';
import { requestIdFrom } from './common/http/request-id';
import { SecurityHeaders, securityHeaders } from './common/http/security-headers';
import { assertNoRefusedKeys } from './common/validation/input-keys';
import { AccessLog, AppLogger, createRootLogger, createStdoutDestination } from './common/logging/logger';
import { AppConfig } from './config/app-config';
import { MetricsService } from './observability/metrics.service';
import { setUpOpenApi } from './openapi';

/** Makes the application from the root module: NestFactory in production, a testing module in tests. */
export type ApplicationBuilder = (
  root: DynamicModule,
  adapter: FastifyAdapter,
  options: NestApplicationOptions,
) => Promise<NestFastifyApplication>;

const nestFactory: ApplicationBuilder = (root, adapter, options) => NestFactory.create<NestFastifyApplication>(root, adapter, options);

export interface CreateAppOptions {
  /** Where JSON log lines go (tests capture them); stdout by default. */
  logDestination?: NodeJS.WritableStream;
  /** How the root module becomes an application; everything around it is the same for every caller. */
  build?: ApplicationBuilder;
}

/** Builds the whole application, configured, without listening: used by main, tests and scripts. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logDestination = (options.logDestination as DestinationStream | undefined) ?? createStdoutDestination();
  const rootLogger = createRootLogger(config.logLevel, logDestination);
  // Set once the plumbing is registered; the router's own refusals need it too.
  let addSharedHeaders: SharedHeaders = () => undefined;
  const headers = securityHeaders();
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    logger: false,
    // No Nest middleware is used; without it Nest adds no middie hook to every request.
    skipMiddie: true,
    // The id is chosen here so Fastify, Nest and every log line share it (API.md: X-Request-Id).
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(request.headers['x-request-id']),
    // Off unless configured: X-Forwarded-For is believed only from the proxies named (TRUST_PROXY).
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler((request, reply) => addSharedHeaders(request, reply)),
    requestTimeout: config.requestTimeoutMs,
    http: httpServerOptions(config.requestTimeoutMs),
    // What Node's HTTP parser refuses never reaches a route: answered in the envelope all the same.
    clientErrorHandler: clientErrorHandler(headers.api),
  });
  const app = await (options.build ?? nestFactory)(AppModule.forRoot(config), adapter, {
    logger: new AppLogger(rootLogger),
    abortOnError: false,
    // Bodies are parsed by registerBodyParsers alone (input rules of API.md), not by Nest's defaults.
    bodyParser: false,
  });
  addSharedHeaders = registerHttpPlumbing(app, adapter, headers, config, AccessLog.create(config.logLevel, logDestination));
  setUpOpenApi(app);
  app.enableShutdownHooks();
  await app.init();
  return app;
}

/** Adds what every answer carries (API.md): the request id, the security headers and CORS. */
type SharedHeaders = (request: FastifyRequest, reply: FastifyReply) => void;

function registerHttpPlumbing(
  app: NestFastifyApplication,
  adapter: FastifyAdapter,
  headers: SecurityHeaders,
  config: AppConfig,
  accessLog: AccessLog | null,
): SharedHeaders {
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify, config.bodyLimitBytes);
  const addCorsHeaders = enableCors(fastify, config.corsOrigins);

  fastify.addHook('preSerialization', envelopeHook);
  const addSharedHeaders: SharedHeaders = (request, reply) => {
    void reply.headers(request.url.startsWith('/docs') ? headers.documentation : headers.api).header('x-request-id', String(request.id));
    addCorsHeaders(request, reply);
  };
  // Nest's slot runs before its own request hooks, one of which sends request targets it cannot
  // route ("OPTIONS *") straight to the not-found handler: those answers get the headers too.
  adapter.setOnRequestHook((request, reply, done) => {
    addSharedHeaders(request, reply);
    try {
      assertHostPresent(request);
      assertNoRefusedKeys(Object.keys(request.query as object));
      assertAcceptedMediaType(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });
  // RFC 9110 §10.1.1 lets a server ignore an expectation it does not know; Node would answer a bare 417.
  const server = app.getHttpServer();
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => server.emit('request', request, response));
  server.on('connect', connectHandler(headers.api));
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const durationMs = reply.elapsedTime;
    metrics.observeRequest(request.method, route, reply.statusCode, durationMs / 1000);
    accessLog?.write({ requestId: String(request.id), method: request.method, route, status: reply.statusCode, durationMs });
    done();
  });
  if (accessLog) {
    fastify.addHook('onClose', (_instance, done) => {
      accessLog.flush();
      done();
    });
  }
  return addSharedHeaders;
}
