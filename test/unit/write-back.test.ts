import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBackEnvironment } from '../../infra/local/write-back.js';

describe.runIf(process.platform === 'linux')("DynamoDB Local's write-back environment", () => {
  const library = join(mkdtempSync(join(tmpdir(), 'write-back-')), 'libeatmydata.so');
  writeFileSync(library, '');
  const missing = join(tmpdir(), 'no-such-dir', 'libeatmydata.so');

  it('preloads the first installed library, after any preload already set', () => {
    expect(writeBackEnvironment({ PATH: '/bin' }, [missing, library])).toEqual({
      PATH: '/bin',
      LD_PRELOAD: library,
    });
    expect(writeBackEnvironment({ LD_PRELOAD: '/opt/other.so' }, [library]).LD_PRELOAD).toBe(
      `/opt/other.so ${library}`,
    );
  });

  it('leaves the environment as it is without the library, or when fsync is asked for', () => {
    const env = { PATH: '/bin' };
    expect(writeBackEnvironment(env, [missing])).toBe(env);
    const always = { PATH: '/bin', OUTROUTE_DYNAMODB_FSYNC: 'always' };
    expect(writeBackEnvironment(always, [library])).toBe(always);
  });
});
