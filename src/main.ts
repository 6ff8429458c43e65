import { startedUp } from './compile-cache';
import './source-maps';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createApp } from './app.factory';
import { listenFailure, probePort } from './common/http/listen-errors';
import { loadWordFrequencies } from './infrastructure/llm/word-rarity';

/** Writes one line for a person and stops, without a stack trace (sysexits codes). */
function stop(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const EX_UNAVAILABLE = 69;
const EX_CONFIG = 78;

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) stop(error.message, EX_CONFIG);
    throw error;
  }
  const refused = (error: unknown) => {
    const reason = listenFailure(error, config.host, config.port);
    if (reason) stop(reason, EX_UNAVAILABLE);
    throw error;
  };
  await probePort(config.host, config.port).catch(refused);
  const app = await createApp(config);
  // The port can still be taken between the probe and here.
  await app.listen(config.port, config.host).catch(refused);
  const address = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  app.getHttpAdapter().getInstance().log.info?.(`listening on ${address}`);
  process.stdout.write(`API listening on ${address} (Swagger UI: ${address}/docs)\n`);
  startedUp();
  setImmediate(loadWordFrequencies);
}

// A failed start (a database that cannot be reached, an index that cannot be built) was logged by
// the module that failed: exit with its reason on one line, not an unhandled rejection's stack.
main().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
