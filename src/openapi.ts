import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME, OAUTH2_SCHEME } from './auth/authenticated.decorator';
import { PasswordGrantFormDto } from './auth/auth.dto';

const DESCRIPTION = `Backend for AI-driven learning platforms: a tutor that answers from course documents with
sources, grading with feedback, practice questions, and administration.

Every success answer is \`{"ok": true, "data": ...}\`; every error is
\`{"ok": false, "error": {"code", "message", "details?"}, "request_id"}\`. Lists take \`limit\` (1–100)
and an opaque \`cursor\`, and answer \`{"items": [...], "next_cursor": ... | null}\`.`;

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
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addOAuth2({ type: 'oauth2', flows: { password: { tokenUrl: '/api/auth/login', scopes: {} } } }, OAUTH2_SCHEME)
    .addTag(
      'courses',
      'Courses with their instructors and enrolled students: join codes, enrollment by staff or by code, co-instructors (instructors and admins manage them).',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: operationId, extraModels: [PasswordGrantFormDto] });
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
function addUnsupportedMediaType(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      if (!operation?.requestBody || !operation.responses || operation.responses['415']) continue;
      operation.responses['415'] = {
        description: 'Error: `unsupported_media_type` (a body of a type this route does not take)',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' } } },
      };
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
    swaggerOptions: { persistAuthorization: true },
  });
}
