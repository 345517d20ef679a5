import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Platform, startPlatform } from './platform.js';

const provider = {
  name: 'Acme Manila',
  status: 'active',
  timeZone: 'Asia/Manila',
  skills: { billing: 5 },
  capacity: 10,
  throughputPerHour: 20,
  dataClearance: 'confidential',
};

describe('npm start: the platform as a user meets it', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform();
    console.info(`npm start became healthy in ${platform.startupMs} ms`);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('is healthy and serves its OpenAPI document without a key', async () => {
    expect(await (await fetch(`${platform.url}/health`)).json()).toStrictEqual({ status: 'ok' });
    const document = await (await fetch(`${platform.url}/openapi.json`)).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/providers/{providerId}',
        '/v1/tickets',
        '/v1/providers/{providerId}/lease',
      ]),
    );
    expect(document.paths['/v1/tickets'].post.requestBody.content['application/json'].schema).toBeDefined();
  });

  it('answers unknown routes, missing keys and wrong keys in the contract error shape', async () => {
    const unknown = await api(platform, 'GET', '/v1/nothing-here');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const noKey = await fetch(`${platform.url}/v1/providers`);
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.code).toBe('unauthenticated');
    expect((await api(platform, 'GET', '/v1/providers', { key: 'not-a-key' })).status).toBe(401);
  });

  it('runs the 60-second tour: provider, source key, ticket, read back', async () => {
    expect((await api(platform, 'PUT', '/v1/providers/acme-manila', { body: provider })).status).toBe(200);
    const { body: sourceKey } = await api(platform, 'POST', '/v1/sources/crm/keys');
    expect(sourceKey.apiKey).toMatch(/^ors_/);
    const ticket = {
      externalId: 'ZD-10442',
      kind: 'front_office',
      skill: 'billing',
      priority: 'P2',
      subject: 'Refund not received',
    };
    const created = await api(platform, 'POST', '/v1/tickets', { key: sourceKey.apiKey, body: ticket });
    expect(created.status).toBe(202);
    const again = await api(platform, 'POST', '/v1/tickets', { key: sourceKey.apiKey, body: ticket });
    expect(again).toMatchObject({ status: 200, body: { ticketId: created.body.ticketId } });
    const read = await api(platform, 'GET', `/v1/tickets/${created.body.ticketId}`, {
      key: sourceKey.apiKey,
    });
    expect(read.body).toMatchObject({
      ticketId: created.body.ticketId,
      sourceId: 'crm',
      externalId: 'ZD-10442',
    });
    // A source may not manage providers.
    expect((await api(platform, 'GET', '/v1/providers', { key: sourceKey.apiKey })).status).toBe(403);
  });

  it('keeps every provider and ticket across a restart on the same data directory', async () => {
    const { body: sourceKey } = await api(platform, 'POST', '/v1/sources/restart-crm/keys');
    const created = await api(platform, 'POST', '/v1/tickets', {
      key: sourceKey.apiKey,
      body: { externalId: 'before-restart', kind: 'back_office', skill: 'billing', priority: 'P3' },
    });
    await platform.stop();
    expect(platform.output()).toContain('SIGINT: stopping Outroute');
    await platform.restart();
    expect((await api(platform, 'GET', '/v1/providers/acme-manila')).body).toMatchObject({
      providerId: 'acme-manila',
    });
    const read = await api(platform, 'GET', `/v1/tickets/${created.body.ticketId}`, {
      key: sourceKey.apiKey,
    });
    expect(read).toMatchObject({ status: 200, body: { externalId: 'before-restart' } });
  });

  // DynamoDB Local may run without fsync (libeatmydata, README "Throughput"): what it answered
  // for is in the kernel's page cache, so a crash of the whole platform loses none of it.
  it('keeps what it answered for across a SIGKILL of the whole platform, DynamoDB Local included', async () => {
    const { body: sourceKey } = await api(platform, 'POST', '/v1/sources/crash-crm/keys');
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        api(platform, 'POST', '/v1/tickets', {
          key: sourceKey.apiKey,
          body: {
            externalId: `before-crash-${index}`,
            kind: 'back_office',
            skill: 'billing',
            priority: 'P3',
          },
        }),
      ),
    );
    expect(created.map((answer) => answer.status)).toStrictEqual(created.map(() => 202));
    await platform.kill();
    await platform.restart();
    for (const [index, answer] of created.entries()) {
      const read = await api(platform, 'GET', `/v1/tickets/${answer.body.ticketId}`, {
        key: sourceKey.apiKey,
      });
      expect(read).toMatchObject({ status: 200, body: { externalId: `before-crash-${index}` } });
    }
  });
});
