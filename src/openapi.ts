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
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: operationId, extraModels: [PasswordGrantFormDto] });
  addLoginFormBody(document);
  return sortKeys(document);
}

/** The login route takes JSON or the OAuth2 form; each content type gets its own schema. */
function addLoginFormBody(document: OpenAPIObject): void {
  const body = document.paths['/api/auth/login']?.post?.requestBody;
  if (body && 'content' in body) {
    body.content['application/x-www-form-urlencoded'] = { schema: { $ref: '#/components/schemas/PasswordGrantFormDto' } };
  }
}

/** Sorted keys make the committed document diff cleanly when the API changes. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])])) as T;
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
