// keys create: an API key for a source system or a provider, shown once.
import { Command, Option } from 'commander';
import { providerIdSchema, sourceIdSchema } from '../../shared/domain/schemas.js';
import { adminClient, segment } from '../lib/api-client.js';
import { CliError } from '../lib/errors.js';
import { table } from '../lib/output.js';
import { settingsOf } from '../lib/settings.js';

interface CreateOptions {
  role?: 'source' | 'provider';
  source?: string;
  provider?: string;
  expiresAt?: string;
}

interface KeyRow {
  keyId: string;
  role: string;
  ownerId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys for source systems and providers');

  keys
    .command('create')
    .description('create a key bound to one source or one provider; the key is printed once, on stdout')
    .addOption(
      new Option('--role <role>', 'source or provider (implied by --source / --provider)').choices([
        'source',
        'provider',
      ]),
    )
    .option('--source <sourceId>', 'the source system the key creates tickets for')
    .option('--provider <providerId>', 'the provider whose queue the key works')
    .option('--expires-at <iso>', 'the key stops working at this instant (ISO-8601)')
    .addHelpText(
      'after',
      '\nExamples:\n  outroute keys create --role source --source crm\n  outroute keys create --role provider --provider manila-bpo',
    )
    .action(async (options: CreateOptions, command: Command) => {
      const settings = settingsOf(command);
      const role = options.role ?? (options.source ? 'source' : options.provider ? 'provider' : undefined);
      if (!role)
        throw new CliError(
          'keys create needs --role source --source <id> or --role provider --provider <id>',
        );
      if (options.source && options.provider)
        throw new CliError('give either --source or --provider, not both: a key is bound to one of them');
      const id = role === 'source' ? options.source : options.provider;
      if (!id) throw new CliError(`--role ${role} needs --${role} <${role}Id>`);
      const valid = (role === 'source' ? sourceIdSchema : providerIdSchema).safeParse(id);
      if (!valid.success) throw new CliError(`${role} id "${id}": ${valid.error.issues[0]?.message}`);

      const path =
        role === 'source' ? `/v1/sources/${segment(id)}/keys` : `/v1/providers/${segment(id)}/keys`;
      const { apiKey, keyId } = await adminClient(settings).post<{ apiKey: string; keyId: string }>(
        path,
        options.expiresAt ? { expiresAt: options.expiresAt } : {},
      );
      // The key alone on stdout (for scripts); the note on stderr.
      console.error(`${role} key ${keyId} for ${id} (shown once: store it now; only its hash is kept):`);
      console.log(apiKey);
    });

  keys
    .command('list')
    .description('every key: id, role, owner, created, last used, expiry (never a secret)')
    .option('--role <role>', 'admin, source or provider')
    .option('--owner <id>', 'the source or provider the key is bound to')
    .action(async (options: { role?: string; owner?: string }, command: Command) => {
      const { items } = await adminClient(settingsOf(command)).get<{ items: KeyRow[] }>('/v1/keys', {
        query: { role: options.role, ownerId: options.owner },
      });
      console.log(
        table(
          ['key', 'role', 'owner', 'created', 'last used', 'expires'],
          items.map((key) => [
            key.keyId,
            key.role,
            key.ownerId ?? '',
            key.createdAt,
            key.lastUsedAt ?? 'never',
            key.expiresAt ?? 'never',
          ]),
        ),
      );
    });

  keys
    .command('revoke <keyId>')
    .description('revoke a key: it stops working at once locally, within the authorizer cache time in AWS')
    .action(async (keyId: string, _options: unknown, command: Command) => {
      await adminClient(settingsOf(command)).request('DELETE', `/v1/keys/${segment(keyId)}`);
      console.error(`key ${keyId} revoked`);
    });

  keys
    .command('rotate <keyId>')
    .description(
      'issue a successor key (printed once, on stdout); the old one works until the grace period ends',
    )
    .option('--grace-seconds <seconds>', 'how long the old key keeps working', '86400')
    .action(async (keyId: string, options: { graceSeconds: string }, command: Command) => {
      const graceSeconds = Number(options.graceSeconds);
      if (!Number.isInteger(graceSeconds) || graceSeconds < 0) {
        throw new CliError(`--grace-seconds ${options.graceSeconds} is not a whole number of seconds`);
      }
      const rotated = await adminClient(settingsOf(command)).post<{
        apiKey: string;
        keyId: string;
        previous: { keyId: string; expiresAt: string | null };
      }>(`/v1/keys/${segment(keyId)}/rotate`, { graceSeconds });
      console.error(
        `new key ${rotated.keyId} (shown once); ${keyId} stops working at ${rotated.previous.expiresAt ?? 'once'}`,
      );
      console.log(rotated.apiKey);
    });

  return keys;
}
