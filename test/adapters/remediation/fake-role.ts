// An in-memory IAM role behind aws-sdk-client-mock: the four mutation calls change it, readState reads it,
// and `failOn(op, n)` makes the n-th call of that command fail (fault injection).
import {
  AttachRolePolicyCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { PolicyDocument, RoleState } from '../../../lib/engine/types.js';
import type { AuditEntry } from '../../../lib/adapters/aws/audit-log.js';
import type { StoredState, Watch } from '../../../lib/adapters/aws/state-store.js';
import { hashCanonical } from '../../../lib/engine/plan/canonical.js';

type Op = 'PutRolePolicy' | 'DeleteRolePolicy' | 'AttachRolePolicy' | 'DetachRolePolicy';

export function fakeRole(initial: RoleState) {
  let state: RoleState = structuredClone(initial);
  const failures = new Map<Op, Set<number>>();
  const counts = new Map<Op, number>();
  const log: string[] = [];
  const iamMock = mockClient(IAMClient);
  const maybeFail = (op: Op) => {
    const n = (counts.get(op) ?? 0) + 1;
    counts.set(op, n);
    if (failures.get(op)?.has(n)) {
      throw Object.assign(new Error(`injected ${op} failure`), { name: 'ServiceFailure' });
    }
  };
  const sorted = (s: RoleState): RoleState => ({
    ...s,
    inline: [...s.inline].sort((a, b) => (a.name < b.name ? -1 : 1)),
    attached: [...s.attached].sort(),
  });
  iamMock.on(PutRolePolicyCommand).callsFake((i: { PolicyName: string; PolicyDocument: string }) => {
    maybeFail('PutRolePolicy');
    log.push(`put ${i.PolicyName}`);
    const document = JSON.parse(i.PolicyDocument) as PolicyDocument;
    state = sorted({ ...state, inline: [...state.inline.filter((p) => p.name !== i.PolicyName), { name: i.PolicyName, document }] });
    return {};
  });
  iamMock.on(DeleteRolePolicyCommand).callsFake((i: { PolicyName: string }) => {
    maybeFail('DeleteRolePolicy');
    log.push(`delete ${i.PolicyName}`);
    state = { ...state, inline: state.inline.filter((p) => p.name !== i.PolicyName) };
    return {};
  });
  iamMock.on(AttachRolePolicyCommand).callsFake((i: { PolicyArn: string }) => {
    maybeFail('AttachRolePolicy');
    log.push(`attach ${i.PolicyArn}`);
    state = sorted({ ...state, attached: [...new Set([...state.attached, i.PolicyArn])] });
    return {};
  });
  iamMock.on(DetachRolePolicyCommand).callsFake((i: { PolicyArn: string }) => {
    maybeFail('DetachRolePolicy');
    log.push(`detach ${i.PolicyArn}`);
    state = { ...state, attached: state.attached.filter((a) => a !== i.PolicyArn) };
    return {};
  });
  return {
    iamMock,
    iam: new IAMClient({ region: 'us-east-1' }),
    log,
    /** Fails the `nth` call (1-based, counted from the start) of `op`. */
    failOn: (op: Op, nth = 1) => void failures.set(op, new Set([...(failures.get(op) ?? []), nth])),
    current: () => structuredClone(state),
    readState: async () => structuredClone(state),
    hashState: (s: RoleState) => hashCanonical(s),
  };
}

/** In-memory stand-ins for StateStore and AuditLog (their DynamoDB behaviour is tested on moto). */
export function memoryStores() {
  const snapshots: StoredState[] = [];
  const watches = new Map<string, Watch>();
  const entries: AuditEntry[] = [];
  return {
    snapshots,
    entries,
    store: {
      putSnapshot: async (state: RoleState, hash: string, at: string) => {
        const s = { id: `${at}#${hash}`, roleArn: state.roleArn, at, hash, state: structuredClone(state) };
        snapshots.push(s);
        return s;
      },
      latest: async (roleArn: string) => snapshots.filter((s) => s.roleArn === roleArn).at(-1),
      get: async (roleArn: string, id: string) => snapshots.find((s) => s.roleArn === roleArn && s.id === id),
      openWatch: async (w: Watch) => void watches.set(w.roleArn, w),
      getWatch: async (roleArn: string) => watches.get(roleArn),
      closeWatch: async (roleArn: string) => void watches.delete(roleArn),
      expiredWatches: async (now: string) => [...watches.values()].filter((w) => w.until < now).map((w) => w.roleArn),
    },
    audit: { record: async (e: AuditEntry) => (entries.push(e), e) },
  };
}
