import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../support/redis-server';
import { bearer, errorCode, loginAdmin, startTestApp, TestApp } from '../support/test-app';

interface Example {
  summary: string;
  value: Record<string, unknown>;
}

interface Operation {
  responses: Record<string, unknown>;
  requestBody?: { content: Record<string, { examples?: Record<string, Example> }> };
}

interface Call {
  method: string;
  path: string;
  name: string;
  value: Record<string, unknown>;
  statuses: string[];
}

/** Calls whose answers give the ids and tokens that later calls need run first; a password change runs last. */
function rank(call: Call): number {
  if (call.path === '/api/auth/register') return 0;
  if (call.path === '/api/auth/login') return 1;
  if (call.method === 'post' && ['/api/chat', '/api/evaluation/grade', '/api/admin/users'].includes(call.path)) return 2;
  if (call.method === 'post' && call.path === '/api/admin/courses') return 3;
  if (call.method === 'post' && call.path === '/api/admin/modules/{id}/questions') return 3;
  if (call.path === '/api/users/me/password') return 9;
  return 5;
}

/**
 * The Swagger UI sends a request example as it is when a person presses "Execute": each one must
 * work on a fresh development start with the demo course. Path ids are the only thing a person
 * fills in; here they come from the answers of the earlier examples.
 */
describe('OpenAPI request examples', () => {
  let t: TestApp;
  let calls: Call[];
  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_DEMO_CONTENT: 'true' } });
    const document = (await t.http.get('/docs-json')).body as { paths: Record<string, Record<string, Operation>> };
    calls = Object.entries(document.paths)
      .flatMap(([path, methods]) =>
        Object.entries(methods).flatMap(([method, operation]) =>
          Object.entries(operation.requestBody?.content['application/json']?.examples ?? {}).map(([name, example]) => ({
            method,
            path,
            name,
            value: example.value,
            statuses: Object.keys(operation.responses),
          })),
        ),
      )
      .sort((a, b) => rank(a) - rank(b));
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer every request example with a success it declares', async () => {
    expect(calls.length).toBeGreaterThanOrEqual(17);
    const admin = await loginAdmin(t.http);
    let student: { accessToken: string } | undefined;
    let joinCode: string | undefined;
    await waitFor(
      async () => {
        const modules = (await t.http.get('/api/modules').set(bearer(admin))).body.data.items as { resource_count: number }[];
        return modules.length === 2 && modules.every((m) => m.resource_count === 4);
      },
      60_000,
      200,
    );
    await waitFor(
      async () =>
        (await t.http.get('/api/search').query({ q: 'What does range(5) produce?' }).set(bearer(admin))).body.data.results.length > 0,
      30_000,
      200,
    );
    const demoModule = ((await t.http.get('/api/modules').set(bearer(admin))).body.data.items as { id: string }[])[0].id;
    const ids = new Map<string, string>([['/api/admin/modules/', demoModule]]);
    const idFor = (path: string) => [...ids].find(([prefix]) => path.startsWith(prefix))?.[1];

    const outcomes: string[] = [];
    for (const call of calls) {
      const where = `${call.method.toUpperCase()} ${call.path} (${call.name})`;
      const id = idFor(call.path);
      const url = call.path.replace('{id}', id ?? 'no-id-known');
      const token = call.path.startsWith('/api/admin/') ? admin : call.path.startsWith('/api/auth/') ? undefined : student;
      // Like path ids, a user id or a join code in a body is what a person fills in from an earlier answer.
      const value = { ...call.value };
      if ('user_id' in value) value.user_id = ids.get('/api/admin/users/') ?? value.user_id;
      if (call.path === '/api/courses/join') value.code = joinCode ?? value.code;
      const request = t.http[call.method as 'post' | 'patch'](url).send(value);
      const response = await (token ? request.set(bearer(token)) : request);
      if (call.path === '/api/auth/refresh' || call.path === '/api/auth/logout') {
        // A placeholder for a token only a sign-in can give: it passes validation and is refused as documented.
        outcomes.push(`${where}: ${response.status} ${errorCode(response)}`);
        expect(response.status).toBe(401);
        expect(errorCode(response)).toBe('invalid_refresh_token');
        continue;
      }
      outcomes.push(`${where}: ${response.status}`);
      expect({ where, status: response.status, body: response.status >= 400 ? response.body : undefined }).toEqual({
        where,
        status: expect.any(Number),
        body: undefined,
      });
      expect(call.statuses).toContain(String(response.status));
      const data = (response.body as { data?: Record<string, unknown> } | undefined)?.data;
      if (call.path === '/api/auth/register') student = { accessToken: data!.access_token as string };
      if (call.path === '/api/chat') ids.set('/api/chat/conversations/', data!.conversation_id as string);
      if (call.path === '/api/evaluation/grade') ids.set('/api/admin/evaluations/', data!.id as string);
      if (call.path === '/api/admin/users' && call.method === 'post') ids.set('/api/admin/users/', data!.id as string);
      if (call.path === '/api/admin/courses' && call.method === 'post') {
        ids.set('/api/admin/courses/', data!.id as string);
        joinCode = data!.join_code as string;
      }
      if (call.path === '/api/admin/modules/{id}/questions') ids.set('/api/admin/questions/', data!.id as string);
      if (call.path === '/api/evaluation/generate-questions') expect((data!.questions as unknown[]).length).toBeGreaterThan(0);
      if (call.path === '/api/chat') expect((data!.sources as unknown[]).length).toBeGreaterThan(0);
    }
    expect(outcomes.length).toBe(calls.length);
  });
});
