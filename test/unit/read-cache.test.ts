import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadCache } from '../../shared/store/read-cache.js';

describe('ReadCache', () => {
  afterEach(() => vi.useRealTimers());

  it('shares one read between concurrent readers and reuses it within the TTL', async () => {
    const cache = new ReadCache<number>(1000);
    const read = vi.fn(async () => 7);
    const answers = await Promise.all([cache.get('t', read), cache.get('t', read), cache.get('t', read)]);
    expect(answers).toEqual([7, 7, 7]);
    expect(await cache.get('t', read)).toBe(7);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('reads again after the TTL, after forget, and for another key', async () => {
    vi.useFakeTimers({ now: 0 });
    const cache = new ReadCache<number>(1000);
    let value = 1;
    const read = vi.fn(async () => value);
    expect(await cache.get('t', read)).toBe(1);
    value = 2;
    vi.setSystemTime(1000);
    expect(await cache.get('t', read)).toBe(1);
    vi.setSystemTime(1001);
    expect(await cache.get('t', read)).toBe(2);
    value = 3;
    cache.forget('t');
    expect(await cache.get('t', read)).toBe(3);
    expect(await cache.get('other', read)).toBe(3);
    expect(read).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failed read', async () => {
    const cache = new ReadCache<number>(60_000);
    await expect(cache.get('t', () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    expect(await cache.get('t', async () => 5)).toBe(5);
  });
});
