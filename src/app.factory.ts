import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import helmet from 'helmet';
import { envelopeHook } from './common/http/envelope';
import { requestContext, requestIdFrom } from './common/http/request-context';
import { AppLogger, createRootLogger } from './common/logging/logger';
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
  await registerHttpPlumbing(app, config, rootLogger);
  setUpOpenApi(app);
  app.enableShutdownHooks();
  await app.init();
  return app;
}

async function registerHttpPlumbing(app: NestFastifyApplication, config: AppConfig, logger: PinoLogger): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // helmet's headers, computed once: @fastify/helmet rebuilds helmet's middleware on every request.
  const securityHeaders = helmet({
    // Swagger UI needs its inline bootstrap script and styles.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:', 'https:'] } },
  });
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  // The per-upload limits are applied where the file is read (content-admin.controller.ts).
  await app.register(fastifyMultipart, { limits: { fileSize: config.uploadLimitBytes, files: 1 } });
  await app.register(fastifyCors, { origin: config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After'], credentials: false });

  fastify.addHook('preSerialization', envelopeHook);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', String(request.id));
    requestContext.run({ requestId: String(request.id) }, done);
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
