import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME } from './auth/authenticated.decorator';
import { EXAMPLE_REQUEST_ID } from './common/openapi/api-responses';
import { PasswordGrantFormDto } from './auth/auth.dto';

const DESCRIPTION = `Backend for AI-driven learning platforms: a tutor that answers from course documents with
sources, grading with feedback, practice questions, and administration.

**Getting started.** Register with \`POST /api/auth/register\` (or sign in with \`POST /api/auth/login\`),
copy the \`access_token\` of the answer into the **Authorize** dialog, and every other route works
with "Try it out". The access token lasts 15 minutes by default; \`POST /api/auth/refresh\` trades the
refresh token for a new pair. In development the demo course (an introduction to Python, in
English and French) is loaded at the first start, so search, chat, grading and question generation
have material to work on.

Every success answer is \`{"ok": true, "data": ...}\`; every error is
\`{"ok": false, "error": {"code", "message", "details?"}, "request_id"}\`. Lists take \`limit\` (1–100)
and an opaque \`cursor\`, and answer \`{"items": [...], "next_cursor": ... | null}\`.`;

/** Tags in the order a newcomer meets them: sign in first, operations last. */
const TAGS: { name: string; description: string }[] = [
  { name: 'auth', description: 'Register, sign in, refresh and sign out. Start here: the access token goes into the Authorize dialog.' },
  { name: 'users', description: 'The signed-in user: profile, language, password, model usage and limits.' },
  {
    name: 'content',
    description: 'Course modules and their documents (PDF, DOCX, Markdown, text, HTML); instructors and admins manage them.',
  },
  {
    name: 'courses',
    description:
      'Courses with their instructors and enrolled students: join codes, enrollment by staff or by code, co-instructors; instructors and admins manage them.',
  },
  { name: 'search', description: 'Passages of the course documents that answer a query, by keywords and meaning.' },
  { name: 'chat', description: 'The tutor: conversations whose answers cite the course passages they use, also as a stream.' },
  { name: 'evaluation', description: 'Grading with feedback, practice questions, my grades and my progress per module.' },
  { name: 'index', description: 'The search index: rebuild jobs and what the index holds (admins).' },
  { name: 'admin', description: 'Users, conversation and evaluation logs, grade review, statistics and the audit log (staff).' },
  { name: 'health', description: 'Liveness and readiness probes for load balancers and orchestrators.' },
];

/** operationIds such as `authLogin` or `usersAdminListUsers`: stable names for generated SDKs. */
function operationId(controllerKey: string, methodKey: string): string {
  const controller = controllerKey.replace(/Controller$/, '');
  return controller.charAt(0).toLowerCase() + controller.slice(1) + methodKey.charAt(0).toUpperCase() + methodKey.slice(1);
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Learning platform API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Relative: the document describes whichever host serves it.
    .addServer('/')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'The `access_token` from `POST /api/auth/register`, `/login` or `/refresh`, without the word Bearer.',
      },
      BEARER_SCHEME,
    );
  for (const tag of TAGS) config.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, config.build(), {
    operationIdFactory: operationId,
    extraModels: [PasswordGrantFormDto],
  });
  addExtraRequestBodies(document);
  addUnsupportedMediaType(document);
  addRequestIdHeader(document);
  return sortKeys(document);
}

/**
 * Routes that take a second content type beside JSON: Nest's decorators describe one body schema,
 * so the other is added here, each media type with its own schema.
 */
const EXTRA_REQUEST_BODIES: { path: string; method: 'post'; mediaType: string; schema: string }[] = [
  { path: '/api/auth/login', method: 'post', mediaType: 'application/x-www-form-urlencoded', schema: 'PasswordGrantFormDto' },
  { path: '/api/admin/modules/{id}/resources', method: 'post', mediaType: 'multipart/form-data', schema: 'UploadResourceDto' },
];

function addExtraRequestBodies(document: OpenAPIObject): void {
  for (const extra of EXTRA_REQUEST_BODIES) {
    const body = document.paths[extra.path]?.[extra.method]?.requestBody;
    if (body && 'content' in body) body.content[extra.mediaType] = { schema: { $ref: `#/components/schemas/${extra.schema}` } };
  }
}

type Operation = {
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: unknown; headers?: Record<string, unknown> }>;
};

/**
 * A body of a type its route does not take is 415 `unsupported_media_type` on every route with a
 * body (API.md, "Input and limits"); routes that declare 415 for their own reasons keep theirs.
 */
const BODY_TYPE_REFUSED = {
  description: '`unsupported_media_type`: A body of a type this route does not take.',
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' },
      examples: {
        unsupported_media_type: {
          summary: 'A body of a type this route does not take',
          value: {
            ok: false,
            error: { code: 'unsupported_media_type', message: 'This route takes a body of type application/json (Content-Type header).' },
            request_id: EXAMPLE_REQUEST_ID,
          },
        },
      },
    },
  },
};

function addUnsupportedMediaType(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      if (!operation?.requestBody || !operation.responses || operation.responses['415']) continue;
      operation.responses['415'] = BODY_TYPE_REFUSED;
    }
  }
}

/** Every answer carries X-Request-Id (API.md), so every response declares it. */
function addRequestIdHeader(document: OpenAPIObject): void {
  const header = {
    description: 'The request id, echoed or generated; it names the request in the server logs.',
    schema: { type: 'string' },
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>)) {
      for (const response of Object.values(operation?.responses ?? {})) response.headers = { ...response.headers, 'X-Request-Id': header };
    }
  }
}

/** Sorted keys make the committed document diff cleanly when the API changes. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    ) as T;
  }
  return value;
}

export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'Learning platform API',
    // Deep links (`/docs#/chat/chatSendMessage`) let people point each other at one operation.
    swaggerOptions: { persistAuthorization: true, deepLinking: true, operationsSorter: newcomerOrder },
  });
}

/**
 * Swagger UI's order of the operations within a tag. The committed document's paths are sorted for
 * clean diffs, which would list login before register; people read register, login, refresh,
 * logout, then what everyone may call before what staff manage, each path with its methods as
 * GET, POST, PATCH, DELETE. Swagger UI runs this in the
 * browser (it is sent as source text), so it must use nothing from its surroundings.
 */
function newcomerOrder(a: SwaggerUiOperation, b: SwaggerUiOperation): number {
  const paths = ['/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout'];
  const methods = ['get', 'post', 'put', 'patch', 'delete'];
  // The auth paths in that order; then what everyone may read; then what staff manage (/api/admin).
  const pathRank = (op: SwaggerUiOperation) => {
    const path = op.get('path');
    return paths.includes(path) ? paths.indexOf(path) : paths.length + (path.startsWith('/api/admin/') ? 1 : 0);
  };
  return (
    pathRank(a) - pathRank(b) ||
    a.get('path').localeCompare(b.get('path')) ||
    methods.indexOf(a.get('method')) - methods.indexOf(b.get('method'))
  );
}

/** What Swagger UI hands its operationsSorter: an Immutable.js map of the operation. */
interface SwaggerUiOperation {
  get(key: 'path' | 'method'): string;
}
