// Writes the OpenAPI document to openapi.json (sorted keys), the committed copy that reviews and
// the drift test compare against. Run with `npm run openapi` after changing the API.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { buildOpenApiDocument } from '../src/openapi';

export const OPENAPI_FILE = join(__dirname, '..', '..', 'openapi.json');

export async function generateOpenApiDocument(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lp-openapi-'));
  const app = await createApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void generateOpenApiDocument().then((text) => {
    writeFileSync(OPENAPI_FILE, text);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  });
}
