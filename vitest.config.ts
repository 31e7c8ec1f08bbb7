import { defineConfig } from 'vitest/config';

// One project per suite: `npm test` runs `unit` (no services needed); the
// others start real services in their globalSetup (S3 gateway, Slurm).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/s3/**', 'test/engine/**', 'test/faults/**', 'test/binary/**', 'test/staging/sftp.test.ts', 'test/staging/webdav.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
          // Spawned runs use dist/: rebuilt first when src/ is newer.
          globalSetup: ['test/helpers/build-setup.ts'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 's3',
          include: ['test/transfer/**/*.test.ts', 'test/s3/**/*.test.ts', 'test/staging/contract.test.ts'],
          globalSetup: ['test/helpers/build-setup.ts', 'test/s3/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'engine',
          include: ['test/engine/**/*.test.ts'],
          globalSetup: ['test/helpers/build-setup.ts', 'test/engine/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/helpers/build-setup.ts', 'test/faults/global-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      // The transfer suite and the staging tests again, once per kind, against
      // a real sshd and a real nginx WebDAV (test/staging/global-setup.ts).
      ...(['sftp', 'webdav'] as const).map((kind) => ({
        test: {
          name: `staging-${kind}`,
          include: ['test/transfer/**/*.test.ts', 'test/staging/contract.test.ts', `test/staging/${kind}.test.ts`],
          // kill -9 at each phase (~90 s a kind) runs with KICKSTART_SLOW=1; the
          // faults suite kills stage-outs to both kinds at random moments anyway.
          exclude: process.env.KICKSTART_SLOW === '1' ? [] : ['test/transfer/crash.test.ts'],
          globalSetup: ['test/staging/global-setup.ts'],
          env: { KICKSTART_TEST_STAGING: kind },
          testTimeout: 120_000,
          hookTimeout: 60_000,
          pool: 'forks' as const,
          fileParallelism: false,
        },
      })),
      {
        test: {
          name: 'binary',
          include: ['test/binary/**/*.test.ts'],
          globalSetup: ['test/binary/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          pool: 'forks',
        },
      },
    ],
  },
});
