import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/config/app-config';

const STRONG = 'q8v2Zt9kLm3Xp7Rw1Yc6Hn4Bd0Fg5JsA';
const productionEnv = {
  NODE_ENV: 'production',
  JWT_ACCESS_SECRET: STRONG,
  JWT_REFRESH_SECRET: `${STRONG}x`,
  ADMIN_EMAIL: 'ops@school.example',
  ADMIN_PASSWORD: 'a-long-admin-passphrase',
  CORS_ORIGINS: 'https://app.school.example',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

describe('configuration', () => {
  it('should run with nothing configured, on the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.env, 'development');
    assert.equal(config.port, 3000);
    assert.ok(config.dataDir.endsWith('/data'));
    assert.equal(config.mongodbUri, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.jwt.accessTtlSeconds, 900);
    assert.equal(config.bodyLimitBytes, 1_048_576);
    assert.equal(config.uploadLimitBytes, 20 * 1_048_576);
    assert.equal(config.loginThrottle.maxFailures, 10);
    assert.equal(config.loginThrottle.windowSeconds, 900);
    assert.equal(config.registrationOpen, true);
    assert.equal(config.metrics.mode, 'open');
  });

  it('should accept a complete production configuration, with metrics off by default', () => {
    assert.equal(loadConfig(productionEnv).metrics.mode, 'off');
  });

  it('should refuse to start in production without JWT secrets, naming each variable', () => {
    const problems = problemsOf({ ...productionEnv, JWT_ACCESS_SECRET: '', JWT_REFRESH_SECRET: '' });
    assert.ok(problems.some((p) => p.includes('JWT_ACCESS_SECRET')));
    assert.ok(problems.some((p) => p.includes('JWT_REFRESH_SECRET')));
  });

  it('should refuse equal access and refresh secrets, in every environment', () => {
    const environments: Record<string, string>[] = [
      productionEnv,
      { JWT_ACCESS_SECRET: STRONG },
      { NODE_ENV: 'test', JWT_ACCESS_SECRET: STRONG },
    ];
    for (const env of environments) {
      const problems = problemsOf({ ...env, JWT_REFRESH_SECRET: STRONG });
      assert.ok(
        problems.some((p) => p.includes('JWT_ACCESS_SECRET') && p.includes('JWT_REFRESH_SECRET') && p.includes('different')),
        JSON.stringify(problems),
      );
    }
  });

  it('should exit 78 (EX_CONFIG) naming both variables when the secrets are equal', () => {
    const main = join(__dirname, '..', '..', '..', 'src', 'main.js');
    const child = spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_ENV: 'test', JWT_ACCESS_SECRET: STRONG, JWT_REFRESH_SECRET: STRONG },
      timeout: 30_000,
    });
    assert.equal(child.status, 78, child.stderr);
    assert.match(child.stderr, /JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must be different/);
    assert.doesNotMatch(child.stderr, /\n\s+at /, 'no stack trace');
  });

  it('should give refresh-token families an absolute lifetime of 90 days unless configured', () => {
    assert.equal(loadConfig({}).jwt.refreshAbsoluteTtlSeconds, 90 * 86_400);
    assert.equal(loadConfig({ JWT_REFRESH_ABSOLUTE_TTL_SECONDS: '3600' }).jwt.refreshAbsoluteTtlSeconds, 3600);
    assert.ok(problemsOf({ JWT_REFRESH_ABSOLUTE_TTL_SECONDS: '0' }).some((p) => p.includes('JWT_REFRESH_ABSOLUTE_TTL_SECONDS')));
  });

  it('should refuse an issuer too long for access tokens to stay small', () => {
    assert.ok(problemsOf({ JWT_ISSUER: 'i'.repeat(129) }).some((p) => p.includes('JWT_ISSUER')));
    assert.equal(loadConfig({ JWT_ISSUER: 'i'.repeat(128) }).jwt.issuer.length, 128);
  });

  it('should refuse weak JWT secrets in production', () => {
    for (const weak of ['short', 'a'.repeat(40), 'changeme-changeme-changeme-changeme']) {
      assert.ok(
        problemsOf({ ...productionEnv, JWT_ACCESS_SECRET: weak }).some((p) => p.includes('JWT_ACCESS_SECRET')),
        weak,
      );
    }
  });

  it('should refuse a default or missing admin password in production', () => {
    assert.ok(problemsOf({ ...productionEnv, ADMIN_PASSWORD: 'changeme' }).some((p) => p.includes('ADMIN_PASSWORD')));
    assert.ok(problemsOf({ ...productionEnv, ADMIN_PASSWORD: '' }).some((p) => p.includes('ADMIN_PASSWORD')));
  });

  it('should refuse to start in production without CORS_ORIGINS, and take an explicit list or *', () => {
    const { CORS_ORIGINS: _unset, ...withoutCors } = productionEnv;
    assert.ok(problemsOf(withoutCors).some((p) => p.includes('CORS_ORIGINS')));
    assert.ok(problemsOf({ ...productionEnv, CORS_ORIGINS: ' ' }).some((p) => p.includes('CORS_ORIGINS')));
    assert.deepEqual(loadConfig({ ...productionEnv, CORS_ORIGINS: 'https://App.School.example/, http://10.0.0.5:8080' }).corsOrigins, [
      'https://app.school.example',
      'http://10.0.0.5:8080',
    ]);
    assert.equal(loadConfig({ ...productionEnv, CORS_ORIGINS: '*' }).corsOrigins, true);
    assert.equal(loadConfig({}).corsOrigins, true, 'any origin outside production');
    assert.ok(problemsOf({ CORS_ORIGINS: 'school.example,https://ok.example/path' }).some((p) => p.includes('school.example')));
  });

  it('should trust no proxy unless TRUST_PROXY says which', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig(productionEnv).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: 'no' }).trustProxy, false);
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.168.1.10' }).trustProxy, [
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.10',
    ]);
    for (const bad of ['proxy.example', '10.0.0.0/33', 'maybe']) {
      assert.ok(
        problemsOf({ TRUST_PROXY: bad }).some((p) => p.includes('TRUST_PROXY')),
        bad,
      );
    }
  });

  it('should size the parse worker pool to the cores, at most 4, unless PARSE_WORKERS says otherwise', () => {
    const workers = loadConfig({}).parsing.workers;
    assert.ok(workers >= 1 && workers <= 4);
    assert.equal(loadConfig({ PARSE_WORKERS: '6' }).parsing.workers, 6);
    assert.ok(problemsOf({ PARSE_WORKERS: '0' }).some((problem) => problem.includes('PARSE_WORKERS')));
  });

  it('should say which variable is malformed', () => {
    const problems = problemsOf({ PORT: 'eighty', REGISTRATION_OPEN: 'maybe', LOG_LEVEL: 'loud' });
    assert.equal(problems.length, 3);
    assert.ok(problems[0].startsWith('PORT'));
    assert.ok(problems[1].startsWith('LOG_LEVEL') || problems.some((p) => p.startsWith('LOG_LEVEL')));
    assert.ok(problems.some((p) => p.startsWith('REGISTRATION_OPEN')));
  });

  it('should require a token when metrics are token-protected', () => {
    assert.ok(problemsOf({ METRICS: 'token' }).some((p) => p.includes('METRICS_TOKEN')));
  });
});
