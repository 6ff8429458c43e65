import { createServer } from 'node:net';

/** Why a server could not listen, in one line for a person, or undefined for errors it does not know. */
export function listenFailure(error: unknown, host: string, port: number): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `Port ${port} is already in use on ${host} (another instance running?); stop it or set PORT to a free port.`;
    case 'EACCES':
      return `Not allowed to listen on ${where} (ports below 1024 need privileges); set PORT to a higher port.`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${where}: HOST is not an address of this machine.`;
    default:
      return undefined;
  }
}

/**
 * Binds and releases the port once, before the application opens its data: a second instance
 * started by mistake on a taken port stops there, without touching the data of the one that runs.
 */
export function probePort(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
