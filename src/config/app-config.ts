import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';

export type Environment = 'development' | 'production' | 'test';
export type MetricsMode = 'off' | 'open' | 'token';

/** Everything the application reads from its environment, validated once at start. */
export interface AppConfig {
  env: Environment;
  host: string;
  port: number;
  dataDir: string;
  mongodbUri?: string;
  redisUrl?: string;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one server. */
  redisKeyPrefix: string;
  logLevel: string;
  corsOrigins: string[] | true;
  /** Fastify's `trustProxy`: which peers' X-Forwarded-* headers to believe (client address, protocol). */
  trustProxy: boolean | string[];
  bodyLimitBytes: number;
  uploadLimitBytes: number;
  /** How long a client may take to send a whole request, headers and body; then 400 and the connection closes. */
  requestTimeoutMs: number;
  registrationOpen: boolean;
  jwt: {
    accessKey: KeyObject;
    refreshKey: KeyObject;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    /** How long a refresh-token family lives after sign-in, however often it rotates. */
    refreshAbsoluteTtlSeconds: number;
    issuer: string;
  };
  admin: { email?: string; password?: string };
  loginThrottle: { maxFailures: number; maxFailuresPerAddress: number; windowSeconds: number };
  metrics: { mode: MetricsMode; token?: string };
  models: ModelsConfig;
  index: {
    rebuildPauseMs: number;
    /** Uploads of more chunks than this are embedded and indexed by a background job (answered `pending`). */
    backgroundChunks: number;
    /** How often each instance reads the shared index's change feed. */
    feedPollMs: number;
    /** Feed entries older than this are deleted; an instance away longer builds its index again. */
    feedRetentionHours: number;
  };
  /** Background jobs: on BullMQ when REDIS_URL is set, in the process otherwise. */
  jobs: { attempts: number; backoffMs: number; lockMs: number; concurrency: number };
  /** Load the demo course on first start (development default). */
  seedDemoContent: boolean;
  chat: { requestsPerMinute: number };
  evaluation: { requestsPerMinute: number };
  passwordHashing: { concurrency: number; queueSize: number };
  /** Long-lived worker threads that parse and chunk uploads. */
  parsing: { workers: number };
}

export type ModelProvider = 'local' | 'azure-openai' | 'openai-compatible';

/** Which language model and embeddings serve the product, and how to reach them. */
export interface ModelsConfig {
  llmProvider: ModelProvider;
  embeddingProvider: ModelProvider;
  azure: { endpoint: string; apiKey?: string; apiVersion: string; chatDeployment: string; embeddingDeployment: string };
  openai: { baseUrl: string; apiKey?: string; chatModel: string; embeddingModel: string };
  timeoutMs: number;
  maxRetries: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Passwords that must never guard a production admin account. */
const PLACEHOLDER_PASSWORDS = new Set(['admin', 'password', 'changeme', 'change-me', 'admin123', 'secret', '12345678']);
const MIN_SECRET_LENGTH = 32;
export const MAX_ISSUER_LENGTH = 128;

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const environment = read.oneOf('NODE_ENV', ['development', 'production', 'test'], 'development');
  const production = environment === 'production';

  const jwtSecret = (name: string): KeyObject => {
    const value = env[name];
    if (!value) {
      if (production) problems.push(`${name} is required in production (at least ${MIN_SECRET_LENGTH} random characters).`);
      // Outside production a missing secret gets a random one: tokens then last as long as the process.
      return createSecretKey(randomBytes(32));
    }
    if (production && (value.length < MIN_SECRET_LENGTH || new Set(value).size < 10)) {
      problems.push(`${name} is too weak for production: use at least ${MIN_SECRET_LENGTH} random characters.`);
    }
    // A KeyObject, not a string: HMAC with a ready key avoids re-importing the secret per request.
    return createSecretKey(Buffer.from(value, 'utf8'));
  };

  // Each key has one purpose: with one secret for both, whoever learns the refresh secret (it keys
  // stored token digests and, derived, list cursors) could also mint access tokens.
  if (env.JWT_ACCESS_SECRET && env.JWT_ACCESS_SECRET === env.JWT_REFRESH_SECRET) {
    problems.push('JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must be different secrets.');
  }
  const issuer = env.JWT_ISSUER || 'learning-platform';
  // The issuer is in every access token: bounding it keeps every token under MAX_ACCESS_TOKEN_LENGTH.
  if (issuer.length > MAX_ISSUER_LENGTH) problems.push(`JWT_ISSUER must be at most ${MAX_ISSUER_LENGTH} characters.`);

  const adminEmail = env.ADMIN_EMAIL?.trim() || undefined;
  const adminPassword = env.ADMIN_PASSWORD || undefined;
  if (production) {
    if (!adminEmail || !adminPassword) {
      problems.push('ADMIN_EMAIL and ADMIN_PASSWORD are required in production (the first admin account).');
    } else if (adminPassword.length < 12 || PLACEHOLDER_PASSWORDS.has(adminPassword.toLowerCase())) {
      problems.push('ADMIN_PASSWORD is a default or weak password: use at least 12 characters that are not a placeholder.');
    }
  }
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 128)) {
    problems.push('ADMIN_PASSWORD must be 8 to 128 characters.');
  }

  const metricsMode = read.oneOf('METRICS', ['off', 'open', 'token'], production ? 'off' : 'open');
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsMode === 'token' && !metricsToken) problems.push('METRICS_TOKEN is required when METRICS=token.');

  const providers = ['local', 'azure-openai', 'openai-compatible'] as const;
  const llmProvider = read.oneOf('LLM_PROVIDER', providers, 'local');
  const embeddingProvider = read.oneOf('EMBEDDING_PROVIDER', providers, 'local');
  const uses = (provider: ModelProvider) => llmProvider === provider || embeddingProvider === provider;
  // Each remote provider's variables are required only when that provider is chosen.
  const requireFor = (provider: ModelProvider, names: string[]) => {
    if (uses(provider))
      for (const name of names)
        if (!env[name]) problems.push(`${name} is required when LLM_PROVIDER or EMBEDDING_PROVIDER is ${provider}.`);
  };
  requireFor('azure-openai', ['AZURE_OPENAI_ENDPOINT']);
  if (llmProvider === 'azure-openai') requireFor('azure-openai', ['AZURE_OPENAI_CHAT_DEPLOYMENT']);
  if (embeddingProvider === 'azure-openai') requireFor('azure-openai', ['AZURE_OPENAI_EMBEDDING_DEPLOYMENT']);
  requireFor('openai-compatible', ['OPENAI_BASE_URL']);
  if (llmProvider === 'openai-compatible') requireFor('openai-compatible', ['OPENAI_CHAT_MODEL']);
  if (embeddingProvider === 'openai-compatible') requireFor('openai-compatible', ['OPENAI_EMBEDDING_MODEL']);

  const corsOrigins = readCorsOrigins(env.CORS_ORIGINS, production, problems);
  const trustProxy = readTrustProxy(env.TRUST_PROXY, problems);
  const config: AppConfig = {
    env: environment,
    host: env.HOST || '0.0.0.0',
    port: read.integer('PORT', 3000, 0, 65535),
    dataDir: resolve(env.DATA_DIR || './data'),
    mongodbUri: env.MONGODB_URI || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? 'lp:',
    logLevel: read.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      environment === 'test' ? 'silent' : 'info',
    ),
    corsOrigins,
    trustProxy,
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    uploadLimitBytes: read.integer('UPLOAD_LIMIT_BYTES', 20 * 1_048_576, 1024, 1024 * 1_048_576),
    requestTimeoutMs: read.integer('REQUEST_TIMEOUT_MS', 300_000, 1_000, 3_600_000),
    registrationOpen: read.boolean('REGISTRATION_OPEN', true),
    jwt: {
      accessKey: jwtSecret('JWT_ACCESS_SECRET'),
      refreshKey: jwtSecret('JWT_REFRESH_SECRET'),
      accessTtlSeconds: read.integer('JWT_ACCESS_TTL_SECONDS', 900, 10, 86_400),
      refreshTtlSeconds: read.integer('JWT_REFRESH_TTL_SECONDS', 30 * 86_400, 60, 365 * 86_400),
      refreshAbsoluteTtlSeconds: read.integer('JWT_REFRESH_ABSOLUTE_TTL_SECONDS', 90 * 86_400, 1, 3650 * 86_400),
      issuer,
    },
    admin: { email: adminEmail, password: adminPassword },
    loginThrottle: {
      maxFailures: read.integer('LOGIN_MAX_FAILURES', 10, 1, 1000),
      maxFailuresPerAddress: read.integer('LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 1, 100_000),
      windowSeconds: read.integer('LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    },
    metrics: { mode: metricsMode, token: metricsToken },
    models: {
      llmProvider,
      embeddingProvider,
      azure: {
        endpoint: env.AZURE_OPENAI_ENDPOINT ?? '',
        apiKey: env.AZURE_OPENAI_API_KEY || undefined,
        apiVersion: env.AZURE_OPENAI_API_VERSION || '2024-10-21',
        chatDeployment: env.AZURE_OPENAI_CHAT_DEPLOYMENT ?? '',
        embeddingDeployment: env.AZURE_OPENAI_EMBEDDING_DEPLOYMENT ?? '',
      },
      openai: {
        baseUrl: env.OPENAI_BASE_URL ?? '',
        apiKey: env.OPENAI_API_KEY || undefined,
        chatModel: env.OPENAI_CHAT_MODEL ?? '',
        embeddingModel: env.OPENAI_EMBEDDING_MODEL ?? '',
      },
      timeoutMs: read.integer('LLM_TIMEOUT_MS', 60_000, 100, 600_000),
      maxRetries: read.integer('LLM_MAX_RETRIES', 3, 0, 10),
    },
    index: {
      rebuildPauseMs: read.integer('INDEX_REBUILD_PAUSE_MS', 0, 0, 10_000),
      backgroundChunks: read.integer('INDEX_BACKGROUND_CHUNKS', 64, 0, 1_000_000),
      feedPollMs: read.integer('INDEX_FEED_POLL_MS', 500, 50, 5_000),
      feedRetentionHours: read.integer('INDEX_FEED_RETENTION_HOURS', 168, 1, 87_600),
    },
    jobs: {
      attempts: read.integer('JOBS_ATTEMPTS', 5, 1, 50),
      backoffMs: read.integer('JOBS_BACKOFF_MS', 2_000, 10, 3_600_000),
      lockMs: read.integer('JOBS_LOCK_MS', 30_000, 1_000, 600_000),
      concurrency: read.integer('JOBS_CONCURRENCY', 2, 1, 64),
    },
    seedDemoContent: read.boolean('SEED_DEMO_CONTENT', environment === 'development'),
    chat: { requestsPerMinute: read.integer('CHAT_REQUESTS_PER_MINUTE', 60, 1, 100_000) },
    evaluation: { requestsPerMinute: read.integer('EVALUATION_REQUESTS_PER_MINUTE', 30, 1, 100_000) },
    passwordHashing: {
      // libuv runs argon2 on its thread pool, 4 threads unless UV_THREADPOOL_SIZE says otherwise.
      concurrency: read.integer('PASSWORD_HASH_CONCURRENCY', Math.min(4, availableParallelism()), 1, 64),
      queueSize: read.integer('PASSWORD_HASH_QUEUE', 32, 0, 10_000),
    },
    // Each worker takes a core while it parses and may hold up to 512 MB of heap.
    parsing: { workers: read.integer('PARSE_WORKERS', Math.min(4, availableParallelism()), 1, 64) },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A browser origin as browsers send it: scheme, host and optional port, nothing after. */
const ORIGIN = /^https?:\/\/[^/\s?#]+$/i;

/**
 * CORS_ORIGINS: allowed browser origins, comma-separated, or `*` for any. Unset, any origin is
 * allowed outside production; production refuses to start without an explicit choice, since a
 * deployment that forgot it would otherwise accept every site.
 */
function readCorsOrigins(raw: string | undefined, production: boolean, problems: string[]): string[] | true {
  const value = raw?.trim() ?? '';
  if (value === '') {
    if (production) problems.push('CORS_ORIGINS is required in production: the allowed browser origins, comma-separated (or * for any).');
    return true;
  }
  if (value === '*') return true;
  const origins = value
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
  const malformed = origins.filter((o) => !ORIGIN.test(o));
  if (malformed.length > 0) {
    problems.push(
      `CORS_ORIGINS must list origins such as https://app.example.org (scheme and host, no path); got ${malformed.join(', ')}.`,
    );
  }
  return origins.map((o) => o.toLowerCase());
}

/** Names proxy-addr (Fastify's trustProxy) gives to address ranges. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: off by default, so a client cannot choose its own address with X-Forwarded-For.
 * `true` trusts every peer (only behind a proxy that strips and sets the header); a comma-separated
 * list of addresses, CIDR ranges or the names loopback, linklocal and uniquelocal trusts those peers.
 */
function readTrustProxy(raw: string | undefined, problems: string[]): boolean | string[] {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || ['false', '0', 'no'].includes(value)) return false;
  if (['true', '1', 'yes'].includes(value)) return true;
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const malformed = entries.filter((e) => !PROXY_RANGES.has(e) && !isAddressOrRange(e));
  if (malformed.length > 0) {
    problems.push(
      `TRUST_PROXY must be true, false, or addresses, CIDR ranges, loopback, linklocal or uniquelocal, comma-separated; got ${malformed.join(', ')}.`,
    );
    return false;
  }
  return entries;
}

function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (version === 4 ? 32 : 128);
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}").`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}").`);
    return fallback;
  }
}
