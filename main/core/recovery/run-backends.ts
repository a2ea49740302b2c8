// At start: the server backends of the runs a dead Holdfast left (pg/run-backends.ts says why they
// outlive their tools and which are safe to end). Only runs that had started a tool are asked about,
// one connection per profile, all at once, so a start with nothing to do connects to nothing; a
// server that cannot be reached is said, not retried (its backends end with their lock or a restart).
import type { Catalogue } from '../catalogue/catalogue.ts';
import { toErrorInfo } from '../model/errors.ts';
import { endRunBackends, type EndedBackend } from '../pg/run-backends.ts';
import { openSession, type CredentialSource } from '../pg/session.ts';

export interface RunBackendsReport {
  ended: Array<EndedBackend & { profile: string }>;
  notReached: Array<{ profile: string; runs: string[]; message: string }>;
}

export async function endDeadRunsBackends(context: CredentialSource & { catalogue: Catalogue }, runIds: readonly string[]): Promise<RunBackendsReport> {
  const report: RunBackendsReport = { ended: [], notReached: [] };
  const byProfile = new Map<string, string[]>();
  for (const id of runIds) {
    const run = context.catalogue.getRun(id);
    // A drill's or a verify's tools ran on a sandbox server of their own, or read a file: nothing on the profile's server.
    const profile = run?.kind === 'verify' ? null : run?.profile;
    if (profile) byProfile.set(profile, [...(byProfile.get(profile) ?? []), id]);
  }
  const profiles = context.catalogue.listProfiles();
  await Promise.all(
    [...byProfile].map(async ([name, runs]) => {
      const profile = profiles.find((p) => p.name === name);
      if (!profile) return;
      try {
        const session = await openSession(context, profile);
        try {
          const client = await session.connect();
          try {
            for (const ended of await endRunBackends(client, runs)) report.ended.push({ ...ended, profile: name });
          } finally {
            await client.end();
          }
        } finally {
          await session.close();
        }
      } catch (error) {
        report.notReached.push({ profile: name, runs, message: toErrorInfo(error).message });
      }
    }),
  );
  return report;
}
