// The operator CLI against a real `npm start`: each command runs as a child
// process, as an operator would run it, and is judged by its output and exit code.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { freePort } from '../../infra/local/free-port.js';
import { resolveLocalQueueHosts } from '../../infra/local/runtime.js';
import { readRuntimeFile, type RuntimeFile } from '../../infra/local/runtime-file.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { providerKey } from '../../shared/store/keys.js';
import { api, type Platform, startPlatform } from './platform.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const providersFile = [
  {
    providerId: 'cli-billing',
    name: 'CLI Billing Co',
    status: 'active',
    timeZone: 'UTC',
    country: 'PH',
    sourcing: 'offshore',
    skills: { billing: 4 },
    languages: ['en', 'tl'],
    capacity: 20,
    throughputPerHour: 30,
    costPerItem: 1.5,
    qualityScore: 0.9,
    dataClearance: 'confidential',
    dataRegions: ['US', 'APAC'],
    allocationShare: 0.5,
  },
  {
    providerId: 'cli-claims',
    name: 'CLI Claims Co',
    status: 'active',
    timeZone: 'America/Mexico_City',
    country: 'MX',
    sourcing: 'nearshore',
    businessHours: {
      mon: [['00:00', '24:00']],
      tue: [['00:00', '24:00']],
      wed: [['00:00', '24:00']],
      thu: [['00:00', '24:00']],
      fri: [['00:00', '24:00']],
      sat: [['00:00', '12:00']],
      sun: [],
    },
    holidays: ['2030-12-25'],
    skills: { claims: 5 },
    capacity: 10,
    throughputPerHour: 10,
    costPerItem: 4,
    qualityScore: 1,
    dataClearance: 'restricted',
  },
];

describe('the operator CLI against npm start', () => {
  let platform: Platform;
  let runtime: RuntimeFile;
  let sourceKey: string;
  let routedTicketId: string;
  const workDir = mkdtempSync(join(tmpdir(), 'outroute-cli-'));
  const children = new Set<ChildProcess>();

  const cliEnv = (env: Record<string, string | undefined>) => {
    const merged: Record<string, string | undefined> = {
      ...process.env,
      OUTROUTE_ADMIN_KEY: platform.adminKey,
      NO_COLOR: '1',
      ...env,
    };
    delete merged.OUTROUTE_DATA_DIR;
    delete merged.FORCE_COLOR;
    return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) as Record<
      string,
      string
    >;
  };

  /** Starts `tsx cli/main.ts --data-dir <platform's> ...args`. */
  const start = (args: string[], env: Record<string, string | undefined> = {}) => {
    const child = spawn(tsx, ['cli/main.ts', '--data-dir', platform.dataDir, ...args], {
      cwd: root,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const output = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk) => (output.stdout += chunk));
    child.stderr?.on('data', (chunk) => (output.stderr += chunk));
    const exited = new Promise<Run>((resolve) =>
      child.once('close', (code) => {
        children.delete(child);
        resolve({ code, ...output });
      }),
    );
    return { child, output, exited };
  };

  const cli = (args: string[], env: Record<string, string | undefined> = {}) => start(args, env).exited;

  const waitFor = async <T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
    seconds = 30,
  ) => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  };

  const submit = async (body: Record<string, unknown> = {}) => {
    const response = await api(platform, 'POST', '/v1/tickets', {
      key: sourceKey,
      body: {
        externalId: crypto.randomUUID(),
        kind: 'front_office',
        skill: 'billing',
        priority: 'P3',
        ...body,
      },
    });
    expect(response.status).toBe(202);
    return response.body.ticketId as string;
  };

  /** One line on stderr that names the problem, and no stack trace. */
  const expectOneLineError = (run: Run, pattern: RegExp) => {
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  };

  beforeAll(async () => {
    platform = await startPlatform();
    const file = readRuntimeFile(platform.dataDir);
    if (!file) throw new Error('npm start wrote no runtime.json');
    runtime = file;
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await platform?.stop();
  });

  it('--help lists every command group', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['providers', 'keys', 'tickets', 'events', 'dlq', 'audit', 'demo']) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    expect(run.stdout).toContain('--data-dir');
    const providers = await cli(['providers', '--help']);
    expect(providers.stdout).toMatch(/import/);
    expect(providers.stdout).toMatch(/export/);
  });

  it('says in one line what is wrong: no key, no platform, an API error', async () => {
    expectOneLineError(
      await cli(['providers', 'export'], { OUTROUTE_ADMIN_KEY: undefined }),
      /^outroute: no admin key: pass --key or set OUTROUTE_ADMIN_KEY/,
    );
    const closedPort = await freePort();
    expectOneLineError(
      await cli(['--url', `http://127.0.0.1:${closedPort}`, 'providers', 'export']),
      new RegExp(`cannot reach the Outroute platform at http://127\\.0\\.0\\.1:${closedPort}`),
    );
    expectOneLineError(
      await cli(['tickets', 'show', '0'.repeat(32)]),
      /API error 404 not_found: ticket not found/,
    );
    expectOneLineError(
      await cli(['--key', 'not-a-key-of-this-platform', 'providers', 'export']),
      /API error 401 unauthenticated/,
    );
  });

  it('providers import validates the whole file before sending anything', async () => {
    const file = join(workDir, 'broken.yaml');
    writeFileSync(
      file,
      YAML.stringify([
        { ...providersFile[0], providerId: 'cli-never-sent' },
        { ...providersFile[1], providerId: 'Bad Id', capacity: -1, colour: 'blue' },
      ]),
    );
    const run = await cli(['providers', 'import', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nothing was sent');
    expect(run.stderr).toMatch(/\[1\] Bad Id: providerId/);
    expect(run.stderr).toMatch(/\[1\] Bad Id: capacity/);
    expect(run.stderr).toMatch(/colour/);
    expect((await api(platform, 'GET', '/v1/providers/cli-never-sent')).status).toBe(404);
  });

  it('providers import (YAML) then export round-trips, in YAML and JSON', async () => {
    const file = join(workDir, 'providers.yaml');
    writeFileSync(file, YAML.stringify({ items: providersFile }));
    const imported = await cli(['providers', 'import', file]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/cli-billing\s+created/);
    expect(imported.stdout).toMatch(/imported 2 of 2 providers/);

    const ours = (list: { providerId: string }[]) =>
      list.filter((item) => item.providerId.startsWith('cli-'));
    const yamlExport = await cli(['providers', 'export']);
    expect(yamlExport.code).toBe(0);
    expect(ours(YAML.parse(yamlExport.stdout))).toStrictEqual(providersFile);
    expect(yamlExport.stdout).not.toMatch(/openItems|updatedAt|openNow|nextOpenAt/);

    const jsonExport = await cli(['providers', 'export', '--format', 'json']);
    expect(jsonExport.code).toBe(0);
    expect(ours(JSON.parse(jsonExport.stdout))).toStrictEqual(providersFile);

    // What export prints, import takes back as it is.
    const exported = join(workDir, 'exported.json');
    writeFileSync(exported, jsonExport.stdout);
    const again = await cli(['providers', 'import', exported]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/cli-billing\s+replaced/);
    expect(ours(YAML.parse((await cli(['providers', 'export'])).stdout))).toStrictEqual(providersFile);
  });

  it('providers import carries SLA policies, export prints them back, and a bad policy stops the whole file', async () => {
    const policy = {
      policyId: 'cli-business-day',
      order: 5,
      // Only a skill no other test uses, so the platform's other tickets keep the default policy.
      match: { skill: ['cli-sla-only'] },
      calendar: {
        timeZone: 'America/New_York',
        businessHours: Object.fromEntries(
          ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]),
        ),
      },
      targets: { P3: { resolutionSeconds: 28800 } },
      atRiskFraction: 0.8,
    };
    const broken = join(workDir, 'broken-policy.yaml');
    writeFileSync(
      broken,
      YAML.stringify({
        items: providersFile,
        slaPolicies: [{ ...policy, targets: { P3: { resolutionSeconds: -1 } } }],
      }),
    );
    const refused = await cli(['providers', 'import', broken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/slaPolicies\[0\] cli-business-day: targets\.P3\.resolutionSeconds/);
    expect((await api(platform, 'GET', '/v1/sla-policies/cli-business-day')).status).toBe(404);

    const file = join(workDir, 'with-policies.yaml');
    writeFileSync(file, YAML.stringify({ items: providersFile, slaPolicies: [policy] }));
    const imported = await cli(['providers', 'import', file]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/imported 1 SLA policy/);
    const exported = YAML.parse((await cli(['providers', 'export'])).stdout);
    expect(exported.slaPolicies).toStrictEqual([policy]);
  });

  it('keys create prints a key, once, that the API accepts', async () => {
    const source = await cli(['keys', 'create', '--role', 'source', '--source', 'cli-crm']);
    expect(source.code).toBe(0);
    sourceKey = source.stdout.trim();
    expect(sourceKey).toMatch(/^\S{20,}$/);
    expect(source.stderr).toMatch(/shown once/);
    await submit();

    const provider = await cli(['keys', 'create', '--role', 'provider', '--provider', 'cli-billing']);
    expect(provider.code).toBe(0);
    const providerKey = provider.stdout.trim();
    expect((await api(platform, 'GET', '/v1/providers/cli-billing', { key: providerKey })).status).toBe(200);
    expect((await api(platform, 'GET', '/v1/providers/cli-claims', { key: providerKey })).status).toBe(403);

    expectOneLineError(
      await cli(['keys', 'create', '--role', 'provider', '--source', 'cli-crm']),
      /--role provider needs --provider/,
    );
  });

  it('keys list shows ids without secrets; rotate and revoke end keys; audit-log export has every change', async () => {
    const created = await cli(['keys', 'create', '--source', 'cli-audit']);
    expect(created.code).toBe(0);
    const oldKey = created.stdout.trim();
    const keyId = /key (key_[a-z2-7]{20})/.exec(created.stderr)?.[1] as string;
    const listed = await cli(['keys', 'list', '--owner', 'cli-audit']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).not.toContain(oldKey);

    const rotated = await cli(['keys', 'rotate', keyId, '--grace-seconds', '0']);
    expect(rotated.code).toBe(0);
    const newKey = rotated.stdout.trim();
    expect((await api(platform, 'GET', '/v1/tickets', { key: newKey })).status).toBe(200);
    expect((await api(platform, 'GET', '/v1/tickets', { key: oldKey })).status).toBe(401);
    const newKeyId = /new key (key_[a-z2-7]{20})/.exec(rotated.stderr)?.[1] as string;
    expect((await cli(['keys', 'revoke', newKeyId])).code).toBe(0);
    expect((await api(platform, 'GET', '/v1/tickets', { key: newKey })).status).toBe(401);

    const exported = await cli(['audit-log', 'export']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => `${line.action} ${line.target}`)).toEqual(
      expect.arrayContaining([
        `key.created key:${keyId}`,
        `key.rotated key:${keyId}`,
        `key.revoked key:${newKeyId}`,
      ]),
    );
    const csv = await cli(['audit-log', 'export', '--format', 'csv', '--actor', lines[0].actor.keyId]);
    expect(csv.stdout.split('\n')[0]).toBe('at,keyId,role,ownerId,action,target,requestId');
  });

  it('tickets show explains where a ticket went and why', async () => {
    routedTicketId = await submit({ subject: 'Refund not received', priority: 'P2' });
    await waitFor(
      async () => (await api(platform, 'GET', `/v1/tickets/${routedTicketId}`)).body,
      (ticket) => ticket.status === 'queued',
      'the ticket to be routed',
    );

    const run = await cli(['tickets', 'show', routedTicketId]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/status:\s+queued/);
    expect(run.stdout).toMatch(/provider:\s+cli-billing/);
    expect(run.stdout).toMatch(/SLA:\s+on_track/);
    expect(run.stdout).toMatch(/due:\s+\d{4}-\d\d-\d\dT/);
    expect(run.stdout).toMatch(/candidate\s+eligible\s+score\s+predicted completion\s+reasons \/ factors/);
    expect(run.stdout).toMatch(
      /\* cli-billing\s+yes\s+\d\.\d{3}\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+.*slack/,
    );
    expect(run.stdout).toMatch(/cli-claims\s+no\s+-\s+-\s+missing_skill/);
    expect(run.stdout).toMatch(/History[\s\S]*received[\s\S]*queued\s+cli-billing/);

    const json = await cli(['tickets', 'show', routedTicketId, '--json']);
    expect(json.code).toBe(0);
    const { body } = await api(platform, 'GET', `/v1/tickets/${routedTicketId}`);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ticketId: routedTicketId,
      providerId: 'cli-billing',
      routing: body.routing,
    });
  });

  it('events tail -n shows ticket.received, and -f follows until Ctrl-C', async () => {
    await waitFor(
      async () => (existsSync(runtime.eventLogFile) ? readFileSync(runtime.eventLogFile, 'utf8') : ''),
      (log) => log.includes(`"ticket.received","at"`) && log.includes(routedTicketId),
      'the event log to record the ticket',
    );
    const tail = await cli(['events', 'tail', '-n', '500', '--type', 'ticket.received']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toMatch(new RegExp(`ticket\\.received\\s+${routedTicketId}`));
    expect(tail.stdout).not.toMatch(/ticket\.queued/);
    const lastTwo = await cli(['events', 'tail', '-n', '2', '--json']);
    expect(lastTwo.stdout.trim().split('\n')).toHaveLength(2);
    expect(() =>
      lastTwo.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).not.toThrow();

    const follow = start(['events', 'tail', '-f', '-n', '0', '--type', 'ticket.received']);
    await waitFor(
      async () => follow.output.stderr,
      (text) => text.includes('following'),
      'tail -f to start',
    );
    const ticketId = await submit();
    await waitFor(
      async () => follow.output.stdout,
      (text) => text.includes(ticketId),
      'tail -f to print the new ticket',
    );
    follow.child.kill('SIGINT');
    const done = await follow.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`ticket\\.received\\s+${ticketId}`));
  });

  it('dlq list shows an invalid intake message without consuming it, and dlq redrive sends it back', async () => {
    resolveLocalQueueHosts();
    const sqs = new SQSClient({
      endpoint: runtime.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const onDlq = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: runtime.queues.intake.dlqUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
      );
    };
    const marker = `CLI-DLQ-${crypto.randomUUID()}`;
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: runtime.queues.intake.url,
          MessageBody: JSON.stringify({
            sourceId: 'cli-crm',
            externalId: marker,
            kind: 'front_office',
            priority: 'P9',
          }),
        }),
      );
      await waitFor(onDlq, (count) => count >= 1, 'the message to reach the intake DLQ');

      const listed = await cli(['dlq', 'list', '--queue', 'intake']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/intake DLQ .*: 1 message\b/);
      expect(listed.stdout).toMatch(/validation_error/);
      expect(listed.stdout).toContain(marker.slice(0, 20));

      const asJson = await cli(['dlq', 'list', '--queue', 'intake', '--json']);
      const [message] = JSON.parse(asJson.stdout);
      expect(message).toMatchObject({ queue: 'intake', errorCode: 'validation_error' });
      expect(message.error.details.map((detail: { path: string }) => detail.path)).toEqual(
        expect.arrayContaining(['skill', 'priority']),
      );
      expect(JSON.parse(message.body).externalId).toBe(marker);
      // Looking twice consumed nothing.
      expect(await onDlq()).toBe(1);

      const redriven = await cli(['dlq', 'redrive', '--queue', 'intake']);
      expect(redriven.code).toBe(0);
      expect(redriven.stdout).toMatch(/intake: redrove 1 message from \S+-intake-dlq to \S+-intake\b/);

      // Back on the intake queue, the consumer rejects it again: a new DLQ message, same body.
      const again = await waitFor(
        async () =>
          JSON.parse((await cli(['dlq', 'list', '--queue', 'intake', '--json'])).stdout) as {
            messageId: string;
            body: string;
          }[],
        (messages) =>
          messages.some((entry) => entry.body === message.body && entry.messageId !== message.messageId),
        'the redriven message to be dead-lettered again',
      );
      expect(again).toHaveLength(1);
    } finally {
      sqs.destroy();
    }
  });

  it('audit finds every counter matching its tickets', async () => {
    const run = await cli(['audit']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/provider\s+openItems\s+counted from tickets\s+capacity\s+result/);
    expect(run.stdout).toMatch(/cli-billing\s+(\d+)\s+\1\s+20\s+OK/);
    expect(run.stdout).toMatch(/cli-claims\s+0\s+0\s+10\s+OK/);
    expect(run.stdout).not.toContain('MISMATCH');
  });

  it('audit exits 1 and names the provider whose counter is off', async () => {
    const dynamo = new DynamoDBClient({
      endpoint: runtime.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const table = createDocumentClient(dynamo);
    const shift = (by: number) =>
      table.send(
        new UpdateCommand({
          TableName: runtime.tableName,
          Key: providerKey('cli-claims'),
          UpdateExpression: 'SET openItems = openItems + :by',
          ExpressionAttributeValues: { ':by': by },
        }),
      );
    await shift(2);
    try {
      const run = await cli(['audit', '--no-recheck']);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/cli-claims\s+2\s+0\s+10\s+MISMATCH/);
      expect(run.stdout).toMatch(/cli-billing\s+(\d+)\s+\1\s+20\s+OK/);
      expect(run.stderr.trim()).toBe('outroute: audit failed: cli-claims');
    } finally {
      await shift(-2);
      dynamo.destroy();
    }
    expect((await cli(['audit'])).code).toBe(0);
  });

  it('demo seeds, streams, works the queues and sums up; metrics show routed work', async () => {
    const run = await cli([
      'demo',
      '--count',
      '10',
      '--rate',
      '20',
      '--handle-seconds',
      '0.2',
      '--seed',
      '7',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/seeded .*manila-bpo/);
    expect(run.stdout).toMatch(/sent 10 of 10 tickets/);
    expect(run.stdout).toMatch(/Routed per provider, last 24 h/);
    expect(run.stdout).toMatch(/Simulated work, this run/);
    for (const id of ['manila-bpo', 'cdmx-nearshore', 'austin-onshore']) expect(run.stdout).toContain(id);

    const demoProviders = new Set(['manila-bpo', 'cdmx-nearshore', 'austin-onshore']);
    const metrics = await waitFor(
      async () =>
        (await api(platform, 'GET', '/v1/metrics/providers')).body.items as {
          providerId: string;
          routed: number;
        }[],
      (items) => items.filter((item) => demoProviders.has(item.providerId)).some((item) => item.routed > 0),
      'routed counts for the demo providers',
    );
    expect(metrics.filter((item) => demoProviders.has(item.providerId)).length).toBe(3);

    const providers = (await api(platform, 'GET', '/v1/providers')).body.items as {
      providerId: string;
      allocationShare?: number;
    }[];
    expect(
      providers.filter((item) => demoProviders.has(item.providerId) && item.allocationShare),
    ).toHaveLength(2);

    // Again: the same providers are replaced, new tickets are sent (external ids are per run).
    const rerun = await cli(['demo', '--count', '3', '--rate', '20', '--no-work', '--drain-timeout', '10']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/sent 3 of 3 tickets/);

    // Quiet again, the counters still match the tickets.
    const audit = await cli(['audit']);
    expect(audit.code).toBe(0);
    expect(audit.stdout).not.toContain('MISMATCH');
  });
});
