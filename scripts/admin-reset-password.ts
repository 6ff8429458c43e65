// `npm run admin:reset-password -- EMAIL`: gives an account a new password, ends every session of
// it and leaves an audit entry; the way back in for a lost admin password. It reads the same
// environment as the application (MONGODB_URI, or the embedded store under DATA_DIR, REDIS_URL,
// ...). The new password comes from RESET_PASSWORD, else from a prompt on a terminal, else it is
// generated and printed once.
// First, as in main.ts: stack traces point at the TypeScript sources (src/source-maps.ts).
import '../src/source-maps';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.factory';
import { AuditService } from '../src/audit/audit.service';
import { AuthService } from '../src/auth/auth.service';
import { PasswordHasher } from '../src/auth/password-hasher';
import { Clock } from '../src/common/clock';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { emailKeyOf } from '../src/users/user';
import { UsersRepository } from '../src/users/users.repository';

/** API.md, Auth: passwords are 8 to 128 characters. */
const MIN_LENGTH = 8;
const MAX_LENGTH = 128;
/** The audit entry's actor: the person at the server's console, not an account. */
const CONSOLE_ACTOR = 'console';

class Refusal extends Error {}

async function main(argv: string[]): Promise<void> {
  const email = argv[0]?.trim();
  if (!email || argv.length > 1) throw new Refusal('usage: npm run admin:reset-password -- EMAIL');
  const config = loadConfig({ ...process.env, SEED_DEMO_CONTENT: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  // Logs go to stderr, so stdout carries only what this script prints.
  const app = await createApp(config, { logDestination: process.stderr });
  try {
    const users = app.get(UsersRepository);
    const user = await users.findByEmailKey(emailKeyOf(email));
    if (!user) throw new Refusal(`No account has the email ${email}.`);
    const given =
      process.env.RESET_PASSWORD ??
      (process.stdin.isTTY ? await promptPassword(`New password for ${user.email} (empty: generate one): `) : '');
    const password = given || randomBytes(18).toString('base64url');
    if (password.length < MIN_LENGTH || password.length > MAX_LENGTH) {
      throw new Refusal(`The password must be ${MIN_LENGTH} to ${MAX_LENGTH} characters long.`);
    }
    await users.update(user.id, { passwordHash: await app.get(PasswordHasher).hash(password) }, app.get(Clock).now());
    await app.get(AuthService).endSessionsOf(user.id);
    await app
      .get(AuditService)
      .record(
        { userId: CONSOLE_ACTOR },
        'user.password_reset',
        { type: 'user', id: user.id },
        { via: 'admin:reset-password', email: user.email },
      );
    process.stdout.write(`The password of ${user.email} was reset; every session of the account was ended.\n`);
    if (!given) process.stdout.write(`New password (shown once): ${password}\n`);
  } finally {
    await app.close();
  }
}

/** Reads a line from the terminal without echoing it. */
function promptPassword(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let typed = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\u0003') {
          finish();
          return reject(new Refusal('Cancelled.'));
        }
        if (char === '\r' || char === '\n') {
          finish();
          return resolve(typed);
        }
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
      }
    };
    function finish() {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    }
    input.on('data', onData);
  });
}

main(process.argv.slice(2)).then(
  () => (process.exitCode = 0),
  (error: unknown) => {
    // One line for what the operator can fix; the configuration lists every problem it found.
    if (error instanceof Refusal || error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`Resetting the password failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 78 : 1;
  },
);
