// keys create: an API key for a source system or a provider, shown once.
import { Command, Option } from 'commander';
import { providerIdSchema, sourceIdSchema } from '../../shared/domain/schemas.js';
import { adminClient, segment } from '../lib/api-client.js';
import { CliError } from '../lib/errors.js';
import { settingsOf } from '../lib/settings.js';

interface CreateOptions {
  role?: 'source' | 'provider';
  source?: string;
  provider?: string;
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
      const { apiKey } = await adminClient(settings).post<{ apiKey: string }>(path);
      // The key alone on stdout (for scripts); the note on stderr.
      console.error(`${role} key for ${id} (shown once: store it now; only its hash is kept):`);
      console.log(apiKey);
    });

  return keys;
}
