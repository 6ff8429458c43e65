// Assembles src/index/engine/int8-dot.wat into int8-dot.wasm.ts, the committed bytes the vector
// graph loads (so that neither a build step nor the assembler runs at start-up). Run with
// `npm run build:wasm` after changing the .wat; int8-vectors.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wabt from 'wabt';

const ENGINE_DIR = join(__dirname, '..', '..', 'src', 'index', 'engine');
export const WAT_FILE = join(ENGINE_DIR, 'int8-dot.wat');
export const WASM_MODULE_FILE = join(ENGINE_DIR, 'int8-dot.wasm.ts');

/** The module's bytes, as base64, assembled from the .wat text. */
export async function assembleInt8Dot(): Promise<string> {
  const toolkit = await wabt();
  const module = toolkit.parseWat(WAT_FILE, readFileSync(WAT_FILE, 'utf8'), { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer).toString('base64');
  } finally {
    module.destroy();
  }
}

export function wasmModuleSource(base64: string): string {
  return [
    '// Generated from int8-dot.wat by `npm run build:wasm` (scripts/assemble-wasm.ts): do not edit.',
    'export const INT8_DOT_WASM =',
    `  '${base64}';`,
    '',
  ].join('\n');
}

if (require.main === module) {
  void assembleInt8Dot().then((base64) => {
    writeFileSync(WASM_MODULE_FILE, wasmModuleSource(base64));
    process.stdout.write(`wrote ${WASM_MODULE_FILE}\n`);
  });
}
