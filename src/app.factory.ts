import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { enableCors } from './common/http/cors';
import { envelopeHook } from './common/http/envelope';
import { acceptMultipartStreams } from './common/http/multipart-upload';
import { requestIdFrom } from './common/http/request-id';
import { AppLogger, createAccessLogger, createRootLogger } from './common/logging/logger';
import { AppConfig } from './config/app-config';
import { MetricsService } from './observability/metrics.service';
import { setUpOpenApi } from './openapi';

export interface CreateAppOptions {
  /** Where JSON log lines go (tests capture them); stdout by default. */
  logDestination?: NodeJS.WritableStream;
}

/** Builds the whole application, configured, without listening: used by main, tests and scripts. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const rootLogger = createRootLogger(config.logLevel, options.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    logger: false,
    // The id is chosen here so Fastify, Nest and every log line share it (API.md: X-Request-Id).
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(request.headers['x-request-id']),
    trustProxy: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new AppLogger(rootLogger),
    abortOnError: false,
  });
  registerHttpPlumbing(app, config, createAccessLogger(config.logLevel, options.logDestination as never));
  setUpOpenApi(app);
  app.enableShutdownHooks();
  await app.init();
  return app;
}

function registerHttpPlumbing(app: NestFastifyApplication, config: AppConfig, logger: PinoLogger): void {
  const fastify = app.getHttpAdapter().getInstance();
  const securityHeaders = helmetHeaders();
  acceptMultipartStreams(fastify);
  enableCors(fastify, config.corsOrigins);

  fastify.addHook('preSerialization', envelopeHook);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(securityHeaders).header('X-Request-Id', String(request.id));
    done();
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    logger.info(
      {
        request_id: request.id,
        method: request.method,
        route,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });
}

/**
 * helmet's security headers, computed once and set as one object per request: helmet's own
 * middleware (and @fastify/helmet, which rebuilds it per request) cost far more on a hot path.
 */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const middleware = helmet({
    // Swagger UI needs its inline bootstrap script and styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
      },
    },
  });
  const response = { setHeader: (name: string, value: unknown) => void (headers[name] = String(value)), removeHeader: () => undefined };
  middleware({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}
