import { describe, expect, it } from 'vitest';
import { handler as createProviderKey } from '../../functions/http/create-provider-key.js';
import { handler as deleteProvider } from '../../functions/http/delete-provider.js';
import { handler as getProvider } from '../../functions/http/get-provider.js';
import { handler as listProviders } from '../../functions/http/list-providers.js';
import { handler as putProvider } from '../../functions/http/put-provider.js';
import { handler as setProviderStatus } from '../../functions/http/set-provider-status.js';
import { providerInput, uniqueId } from '../fixtures/entities.js';
import { ADMIN, invoke, provider, source } from '../fixtures/events.js';

describe('providers API', () => {
  it('creates a provider and returns it with openItems and updatedAt', async () => {
    const providerId = uniqueId('acme');
    const response = await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ ...providerInput(), providerId, openItems: 0 });
    expect(Date.parse(response.body.updatedAt)).not.toBeNaN();
  });

  it('replaces a provider and keeps its live openItems counter', async () => {
    const providerId = uniqueId('acme');
    await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput(),
    });
    const replaced = await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput({ capacity: 7, languages: undefined }),
    });
    expect(replaced.body.capacity).toBe(7);
    expect(replaced.body).not.toHaveProperty('languages');
    const read = await invoke(getProvider, 'GET /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
    });
    expect(read.body).toStrictEqual(replaced.body);
  });

  it('lists providers', async () => {
    const providerId = uniqueId('listed');
    await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput(),
    });
    const list = await invoke(listProviders, 'GET /v1/providers', { principal: ADMIN });
    expect(list.body.items.map((item: { providerId: string }) => item.providerId)).toContain(providerId);
  });

  it.each([
    ['an unknown field', { ...providerInput(), capcity: 3 }, 'capcity'],
    ['a bad time zone', providerInput({ timeZone: 'Mars/Olympus' }), 'timeZone'],
    ['a proficiency above 5', providerInput({ skills: { billing: 6 } }), 'skills.billing'],
    [
      'a window that ends before it starts',
      providerInput({ businessHours: { mon: [['18:00', '08:00']] } }),
      'businessHours.mon.0',
    ],
    ['a negative capacity', providerInput({ capacity: -1 }), 'capacity'],
  ])('rejects %s with 400 naming the field', async (_case, body, path) => {
    const response = await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId: uniqueId('bad') },
      body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.error.code).toBe('validation_error');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });

  it('rejects a malformed provider id', async () => {
    const response = await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId: 'Not_Valid' },
      body: providerInput(),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details[0].path).toBe('providerId');
  });

  it('answers 401 without a key and 403 for a source key', async () => {
    const params = { providerId: uniqueId('auth') };
    const anonymous = await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: { role: 'anonymous' },
      params,
      body: providerInput(),
    });
    expect(anonymous).toStrictEqual({
      statusCode: 401,
      body: { error: { code: 'unauthenticated', message: expect.any(String) } },
    });
    const asSource = await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: source('crm'),
      params,
      body: providerInput(),
    });
    expect(asSource.statusCode).toBe(403);
    expect(asSource.body.error.code).toBe('forbidden');
  });

  it('lets a provider read itself but not another provider', async () => {
    const providerId = uniqueId('self');
    await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput(),
    });
    const own = await invoke(getProvider, 'GET /v1/providers/{providerId}', {
      principal: provider(providerId),
      params: { providerId },
    });
    expect(own.statusCode).toBe(200);
    const other = await invoke(getProvider, 'GET /v1/providers/{providerId}', {
      principal: provider('someone-else'),
      params: { providerId },
    });
    expect(other.statusCode).toBe(403);
  });

  it('deletes a provider with no open items, then 404s', async () => {
    const providerId = uniqueId('gone');
    await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput(),
    });
    expect(
      (
        await invoke(deleteProvider, 'DELETE /v1/providers/{providerId}', {
          principal: ADMIN,
          params: { providerId },
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await invoke(getProvider, 'GET /v1/providers/{providerId}', {
          principal: ADMIN,
          params: { providerId },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await invoke(deleteProvider, 'DELETE /v1/providers/{providerId}', {
          principal: ADMIN,
          params: { providerId },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('issues a provider key only for a provider that exists', async () => {
    const providerId = uniqueId('keyed');
    const missing = await invoke(createProviderKey, 'POST /v1/providers/{providerId}/keys', {
      principal: ADMIN,
      params: { providerId },
    });
    expect(missing.statusCode).toBe(404);
    await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput(),
    });
    const created = await invoke(createProviderKey, 'POST /v1/providers/{providerId}/keys', {
      principal: ADMIN,
      params: { providerId },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body.apiKey).toMatch(/^orp_[\w-]{32}$/);
  });
});

describe('provider status', () => {
  it('changes only the status, and 404s for an unknown provider', async () => {
    const providerId = uniqueId('status');
    const created = await invoke(putProvider, 'PUT /v1/providers/{providerId}', {
      principal: ADMIN,
      params: { providerId },
      body: providerInput({ capacity: 9 }),
    });
    const paused = await invoke(setProviderStatus, 'POST /v1/providers/{providerId}/status', {
      principal: ADMIN,
      params: { providerId },
      body: { status: 'paused' },
    });
    expect(paused.statusCode).toBe(200);
    expect(paused.body).toStrictEqual({ ...created.body, status: 'paused', updatedAt: expect.any(String) });
    const unknown = await invoke(setProviderStatus, 'POST /v1/providers/{providerId}/status', {
      principal: ADMIN,
      params: { providerId: uniqueId('nobody') },
      body: { status: 'paused' },
    });
    expect(unknown.statusCode).toBe(404);
    const invalid = await invoke(setProviderStatus, 'POST /v1/providers/{providerId}/status', {
      principal: ADMIN,
      params: { providerId },
      body: { status: 'sleeping' },
    });
    expect(invalid.statusCode).toBe(400);
  });
});
