import { readFileSync } from 'node:fs';
import { beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { generateOpenApiDocument, OPENAPI_FILE } from '../../scripts/generate-openapi';

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: unknown;
}

describe('OpenAPI document', () => {
  let generated: string;
  let document: { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
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
        if (path.startsWith('/api/') && !path.startsWith('/api/auth/')) {
          assert.ok(codes.includes('401'), `${where} declares 401`);
          assert.ok(operation.security && operation.security.length > 0, `${where} declares its security`);
        }
      }
    }
  });

  it('should declare the bearer scheme and the OAuth2 password flow at the login route', () => {
    assert.deepEqual(document.components.securitySchemes.bearer, { bearerFormat: 'JWT', scheme: 'bearer', type: 'http' });
    const login = document.paths['/api/auth/login'].post;
    assert.ok(JSON.stringify(login.requestBody).includes('application/x-www-form-urlencoded'));
    assert.ok(JSON.stringify(document.components.securitySchemes).includes('/api/auth/login'));
  });

  it('should have no reference to a schema it does not define', () => {
    const refs = [...generated.matchAll(/"\$ref": "#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    const defined = new Set(Object.keys((document.components as unknown as { schemas: object }).schemas));
    assert.deepEqual(
      [...new Set(refs)].filter((name) => !defined.has(name)),
      [],
    );
  });

  it('should list the health endpoints', () => {
    assert.ok(document.paths['/health/live']);
    assert.ok(document.paths['/health/ready']);
  });
});
