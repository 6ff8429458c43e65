import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createApp } from './app.factory';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const address = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  app.getHttpAdapter().getInstance().log.info?.(`listening on ${address}`);
  process.stdout.write(`API listening on ${address} (Swagger UI: ${address}/docs)\n`);
}

// A failed start (a database that cannot be reached, an index that cannot be built) was logged by
// the module that failed: exit with its reason on one line, not an unhandled rejection's stack.
main().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
