import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ERROR_STATUS, ErrorCode } from '../../src/common/errors/api-error';
import { generateOpenApiDocument, OPENAPI_FILE } from '../../scripts/generate-openapi';

interface Example {
  summary?: string;
  value: { ok?: boolean; error?: { code?: string; message?: string } };
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, unknown>[];
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown; examples?: Record<string, Example> }> }>;
  requestBody?: { content: Record<string, { examples?: Record<string, Example> }> };
}

/** Routes anyone may call (API.md, Conventions: Authentication). */
const isPublicPath = (path: string) => path.startsWith('/api/auth/') || path.startsWith('/health/');

describe('OpenAPI document', () => {
  let generated: string;
  let document: {
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: Record<string, unknown> };
    servers?: { url: string }[];
    tags?: { name: string; description?: string }[];
  };
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, where: `${method.toUpperCase()} ${path}`, operation })),
    );
  beforeAll(async () => {
    generated = await generateOpenApiDocument();
    document = JSON.parse(generated);
  });

  it('should match the committed openapi.json (run `npm run openapi` after an API change)', () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    if (committed !== generated) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((text, i) => text !== b[i]);
      assert.fail(`openapi.json is out of date (first difference at line ${line + 1}):\n  committed: ${a[line]}\n  generated: ${b[line]}`);
    }
  });

  it('should give every operation a unique operationId, a success schema and error answers', () => {
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(operation.operationId, `${where} has an operationId`);
        assert.ok(!ids.has(operation.operationId), `${where} operationId is unique`);
        ids.add(operation.operationId);
        const codes = Object.keys(operation.responses);
        const success = codes.find((c) => c.startsWith('2'));
        assert.ok(success, `${where} declares a success answer`);
        if (success !== '204') {
          const content = operation.responses[success].content ?? {};
          assert.ok(
            Object.values(content).some((media) => media.schema),
            `${where} success has a schema`,
          );
        }
        assert.ok(
          codes.some((c) => c.startsWith('4')),
          `${where} declares its 4xx answers`,
        );
        if (isPublicPath(path)) {
          assert.deepEqual(operation.security, [], `${where} is public: security []`);
        } else {
          assert.ok(codes.includes('401'), `${where} declares 401`);
          assert.deepEqual(operation.security, [{ bearer: [] }], `${where} needs the bearer token`);
        }
      }
    }
  });

  it('should describe every operation for people: a summary, a description and a declared tag', () => {
    const tags = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description]));
    for (const { where, operation } of operations()) {
      assert.ok((operation.summary ?? '').length > 10, `${where} has a summary`);
      assert.ok((operation.description ?? '').length > 20, `${where} has a description`);
      assert.equal(operation.tags?.length, 1, `${where} has one tag`);
      assert.ok(tags.get(operation.tags![0]), `${where}: tag ${operation.tags![0]} is declared with a description`);
    }
    // A newcomer signs in first and reads the probes last.
    assert.equal(document.tags?.[0].name, 'auth');
    assert.equal(document.tags?.at(-1)?.name, 'health');
  });

  it('should name the relative root as its server', () => {
    assert.deepEqual(document.servers, [{ url: '/' }]);
  });

  it('should show one example per error code, carrying that code and a message for people', () => {
    let codes = new Set<string>();
    for (const { where, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]/.test(status)) continue;
        const json = response.content?.['application/json'];
        assert.ok(json?.examples, `${where} ${status} has examples in application/json`);
        const named = [...(response.description ?? '').matchAll(/`([a-z_]+)`:/g)].map((m) => m[1]);
        assert.deepEqual(
          Object.keys(json.examples).sort(),
          [...new Set(named)].sort(),
          `${where} ${status}: one example per code it names`,
        );
        for (const [name, example] of Object.entries(json.examples)) {
          const code = example.value.error?.code as ErrorCode;
          assert.equal(code, name, `${where} ${status}: example ${name} carries its own code`);
          assert.equal(String(ERROR_STATUS[code]), status, `${where}: ${code} belongs to ${status}`);
          assert.equal(example.value.ok, false);
          assert.ok((example.value.error?.message ?? '').length > 10, `${where} ${status} ${code} has a message`);
        }
        codes = new Set([...codes, ...Object.keys(json.examples)]);
      }
    }
    assert.ok(codes.size >= 12, `examples cover the codes of API.md, not one code everywhere (${[...codes].join(', ')})`);
  });

  it('should give every JSON request body an example', () => {
    for (const { where, operation } of operations()) {
      const json = operation.requestBody?.content['application/json'];
      if (!json) continue;
      assert.ok(json.examples && Object.keys(json.examples).length > 0, `${where} has a request example`);
    }
  });

  it('should offer a plain bearer scheme in the Authorize dialog (no client id, secret or scopes)', () => {
    assert.deepEqual(Object.keys(document.components.securitySchemes), ['bearer']);
    const { description, ...scheme } = document.components.securitySchemes.bearer as { description?: string };
    assert.deepEqual(scheme, { bearerFormat: 'JWT', scheme: 'bearer', type: 'http' });
    assert.ok(description?.includes('access_token'));
    // Login still takes the OAuth2 password grant as a form (API.md), for clients that send one.
    const login = document.paths['/api/auth/login'].post;
    assert.ok(JSON.stringify(login.requestBody).includes('application/x-www-form-urlencoded'));
  });

  it('should have no reference to a schema it does not define', () => {
    const refs = [...generated.matchAll(/"\$ref": "#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    const defined = new Set(Object.keys((document.components as unknown as { schemas: object }).schemas));
    assert.deepEqual(
      [...new Set(refs)].filter((name) => !defined.has(name)),
      [],
    );
  });

  it("should pass Redocly's recommended lint with no error and no warning", async () => {
    // The generated document, not the committed one: a failure names what the code produces.
    const dir = mkdtempSync(join(tmpdir(), 'lp-openapi-lint-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, generated);
      const root = join(__dirname, '..', '..', '..');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'),
          'lint',
          file,
          '--config',
          join(root, 'redocly.yaml'),
          '--format',
          'json',
        ],
        { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 16 * 1024 * 1024 },
      ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toEqual(expect.objectContaining({ errors: 0, warnings: 0 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should list the health endpoints', () => {
    assert.ok(document.paths['/health/live']);
    assert.ok(document.paths['/health/ready']);
  });
});
