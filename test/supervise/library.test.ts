import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run.js';

describe('the library', () => {
  it('supervise() runs a job in-process and resolves to the record', async () => {
    const { supervise, toYaml } = await import(`${ROOT}/dist/index.js`);
    const result = await supervise({ argv: ['sh', '-c', 'echo embedded; exit 5'] });
    expect(result.exitCode).toBe(5);
    expect(result.outcome).toBe('failed');
    expect(result.record.mainjob.status.regular_exitcode).toBe(5);
    expect(result.record.files.stdout.data).toBe('embedded\n');
    expect(toYaml(result.record)).toContain('regular_exitcode: 5');
  });

  it('rejects bad options with a PlanError and runs nothing', async () => {
    const { supervise } = await import(`${ROOT}/dist/index.js`);
    await expect(supervise({ argv: ['true'], checkpointTime: 5000, maxWalltime: 1000 })).rejects.toThrow(/must be greater than/);
  });
});
