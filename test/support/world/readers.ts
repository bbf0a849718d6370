// Reading a world back: a role's state hash and policies, its index entries and findings, the audit log, the queues.
import { roleArn } from '../../../lib/dev/demo/seed.js';
import { hashState } from '../../../lib/engine/role/state.js';
import type { Finding, IndexEntry } from '../../../lib/engine/types.js';
import { drain, parseEnvelope, parseNotice } from './inbox.js';
import type { World } from './index.js';
import { readRole } from './roles.js';

export interface Snapshot {
  index: Record<string, IndexEntry[]>;
  findings: Record<string, Finding[] | null>;
}

type Readers = 'stateHash' | 'readRole' | 'entries' | 'findings' | 'snapshot' | 'audit' | 'drain' | 'envelopes' | 'notices';

export function readers<A>(w: World<A>): Pick<World<A>, Readers> {
  const envelopes = async () => (await drain(w.clients, w.resources.envelopeUrl)).map(parseEnvelope);
  const entries = async (role: string) =>
    (await w.deps.index.entriesForRole(role)).sort((a, b) => a.taskDefinitionArn.localeCompare(b.taskDefinitionArn));
  const findings = async (role: string) => (await w.deps.findings.current(role))?.findings;
  return {
    stateHash: async (role) => hashState((await w.deps.roles.readState(role))!),
    readRole: (role) => readRole(w.clients, role),
    entries,
    findings,
    async snapshot(roles) {
      const snap: Snapshot = { index: {}, findings: {} };
      for (const r of [...roles].sort()) {
        snap.index[r] = await entries(r);
        snap.findings[r] = (await findings(r)) ?? null;
      }
      return snap;
    },
    audit: async (role) => (await w.deps.audit.history(role.startsWith('arn:') ? role : roleArn(role))).reverse(),
    drain: (url) => drain(w.clients, url),
    envelopes,
    notices: async () => (await envelopes()).map(parseNotice),
  };
}
