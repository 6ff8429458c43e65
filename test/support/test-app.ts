import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
type TestAgent = ReturnType<typeof request>;
import { ApplicationBuilder, createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { dropMongoDatabase } from './mongo';

export const TEST_ADMIN = { email: 'admin@test.example', password: 'admin-password-123' };

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataDir: string;
  http: TestAgent;
  /** Every JSON log line the app wrote so far. */
  logs: () => Record<string, unknown>[];
  /** The first log line matching, waiting for it: access lines are written in batches (a quarter second at most). */
  logLine: (matches: (line: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
  close: (options?: { keepData?: boolean }) => Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse the data of an earlier app (restart tests). */
  dataDir?: string;
  /**
   * Documents in MongoDB at this URI (its own database: `freshMongoUri`) instead of the embedded
   * store; `close()` drops the database unless asked to keep the data.
   */
  mongodbUri?: string;
  /** Replaces providers (`overrideProvider`) for what a test must control, such as the clock. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** The app is compiled as a @nestjs/testing module, then configured by the same factory as main.ts. */
function testingModule(override: TestAppOptions['override']): ApplicationBuilder {
  return async (root, adapter, options) => {
    const builder = Test.createTestingModule({ imports: [root] });
    if (options.logger && !Array.isArray(options.logger)) builder.setLogger(options.logger);
    const moduleRef = await (override ? override(builder) : builder).compile();
    return moduleRef.createNestApplication<NestFastifyApplication>(adapter, options);
  };
}

/** Boots the whole AppModule on a fresh embedded store (or MongoDB), exactly as `npm start` does, but in-process. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lp-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    JWT_ACCESS_SECRET: 'test-access-secret-that-is-long-enough-0123456789',
    JWT_REFRESH_SECRET: 'test-refresh-secret-that-is-long-enough-0123456789',
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    ...(options.mongodbUri ? { MONGODB_URI: options.mongodbUri } : {}),
    ...options.env,
  });
  const lines: string[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  let app: NestFastifyApplication;
  try {
    app = await createApp(config, { logDestination: destination, build: testingModule(options.override) });
  } catch (error) {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    dataDir,
    http: request(app.getHttpServer()),
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    logLine: async (matches) => {
      const deadline = Date.now() + 2_000;
      for (;;) {
        const found = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find(matches);
        if (found) return found;
        if (Date.now() > deadline) throw new Error('no such log line within 2 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (options.mongodbUri) await dropMongoDatabase(options.mongodbUri);
    },
  };
}

let counter = 0;

/** A unique email per call, so tests in one app never collide. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}@example.org`;
}

export interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function register(
  http: TestAgent,
  overrides: { email?: string; password?: string; display_name?: string } = {},
): Promise<Account> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? 'a-good-password';
  const response = await http
    .post('/api/auth/register')
    .send({ email, password, ...(overrides.display_name ? { display_name: overrides.display_name } : {}) });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    id: response.body.data.user.id,
    email,
    password,
    accessToken: response.body.data.access_token,
    refreshToken: response.body.data.refresh_token,
  };
}

export async function login(http: TestAgent, email: string, password: string): Promise<Account> {
  const response = await http.post('/api/auth/login').send({ email, password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    id: response.body.data.user.id,
    email,
    password,
    accessToken: response.body.data.access_token,
    refreshToken: response.body.data.refresh_token,
  };
}

export function loginAdmin(http: TestAgent): Promise<Account> {
  return login(http, TEST_ADMIN.email, TEST_ADMIN.password);
}

export const bearer = (account: { accessToken: string }) => ({ Authorization: `Bearer ${account.accessToken}` });

/** Asserts the error envelope of API.md and returns its code. */
export function errorCode(response: request.Response): string {
  const body = response.body as { ok?: unknown; error?: { code?: unknown; message?: unknown }; request_id?: unknown };
  if (
    body.ok !== false ||
    typeof body.error?.code !== 'string' ||
    typeof body.error.message !== 'string' ||
    typeof body.request_id !== 'string'
  ) {
    throw new Error(`not an error envelope: ${response.status} ${JSON.stringify(response.body)}`);
  }
  if (response.headers['x-request-id'] !== body.request_id) throw new Error('request_id differs from the X-Request-Id header');
  return body.error.code;
}

/** A module created by `account`, holding one Markdown resource when `markdown` is given. */
export async function createCourseModule(t: TestApp, account: { accessToken: string }, title: string, markdown?: string): Promise<string> {
  const created = await t.http.post('/api/admin/modules').set(bearer(account)).send({ title });
  if (created.status !== 201) throw new Error(`module creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  const moduleId = created.body.data.id as string;
  if (markdown) {
    const resource = await t.http
      .post(`/api/admin/modules/${moduleId}/resources`)
      .set(bearer(account))
      .send({ title, content: markdown, format: 'markdown' });
    if (resource.status !== 201) throw new Error(`resource creation failed: ${resource.status} ${JSON.stringify(resource.body)}`);
  }
  return moduleId;
}
