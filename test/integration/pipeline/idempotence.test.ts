// EventBridge delivers at least once and out of order. With the account in its final state, delivering the events
// in order, or shuffled with duplicates, must end in the same index and findings; a duplicate never sends a second
// SNS message, and each role's last message describes its final findings.
import { DeregisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../support/fault-injection.js';
import { useMoto } from '../../support/moto.js';
import {
  createWorld,
  demoAccount,
  deregisterEvent,
  enact,
  event,
  registerEvent,
  registerInMoto,
  roleArn,
  soloRevision,
  type Notice,
  type Snapshot,
} from '../../support/world/index.js';

const moto = useMoto({ resetEachTest: false });
const ROLES = ['billing-exec', 'payments-exec', 'reports-exec', 'web-exec'].map(roleArn);

type Ev = Record<string, unknown>;

// attach-role-policy.json needs moto's AWS managed policies (slow to load); iam-change.test.ts covers it.
const IAM_FILES = [
  'put-role-policy.json',
  'create-policy-version.json',
  'update-assume-role-policy.json',
  'tag-role.json',
  'create-role.json',
];
const EVENTS: Ev[] = [
  event('register-task-definition.json'),
  event('register-task-definition-failed.json'),
  event('deregister-task-definition.json'),
  registerEvent('web-old:1'),
  deregisterEvent('web-old:1'),
  ...IAM_FILES.map(event),
  event('put-role-policy-by-leash.json'),
  ...['denial-secretsmanager.json', 'denial-ssm.json', 'denial-logs.json', 'denial-ecr.json', 'denial-kms.json'].map(event),
  ...[
    'task-stopped-access-denied.json',
    'task-stopped-cannot-pull.json',
    'task-stopped-network.json',
    'task-stopped-essential-exit.json',
  ].map(event),
];

interface Outcome {
  snapshot: Snapshot;
  /** The last notice each role received. */
  last: Record<string, Notice>;
}

/** A notice's identity: subject and `[severity] kind: action on resource` lines. Reasons are detail (evidence counts
 *  grow with each denial delivered, in whatever order), which the notifier deliberately does not re-announce. */
const identity = (n: Notice) => ({ role: n.role, subject: n.subject, findings: n.lines.map((l) => l.replace(/ \(.*\)$/, '')) });
const identities = (last: Record<string, Notice>) => Object.fromEntries(Object.entries(last).map(([r, n]) => [r, identity(n)]));

/** Fresh account, swept; then every change the events record is made; then the events are delivered in `order`. */
async function deliver(order: Ev[]): Promise<Outcome> {
  await moto.server().reset();
  const w = await createWorld(moto.config(), demoAccount());
  await registerInMoto(w.clients, soloRevision('web-old', 'old/db-AsDfGh'));
  expect((await w.run.reconcile(event('scheduled-reconcile.json'))).complete).toBe(true);
  await w.notices();

  for (const file of IAM_FILES) await enact(w.clients, event(file));
  for (const rev of ['web-api:2', 'web-old:1']) await w.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: rev }));

  const seen = new Set<unknown>();
  const last: Record<string, Notice> = {};
  for (const e of order) {
    await w.run.for(e)(structuredClone(e));
    const notices = await w.notices();
    if (seen.has(e.id)) expect(notices, `re-delivery of ${String(e.id)}`).toEqual([]);
    seen.add(e.id);
    for (const n of notices) last[n.role] = n;
  }
  // moto draws a new key ID per account: name the demo key the same way in every run.
  const keyId = w.account.keyArn.split('/').pop()!;
  return JSON.parse(JSON.stringify({ snapshot: await w.snapshot(ROLES), last }).replaceAll(keyId, 'DEMO-KEY')) as Outcome;
}

/** A seeded shuffle of the events with `dups` of them delivered twice. */
function shuffledWithDuplicates(seed: number, dups: number): Ev[] {
  const random = seededRandom(seed);
  const list = [...EVENTS, ...Array.from({ length: dups }, () => EVENTS[Math.floor(random() * EVENTS.length)]!)];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

describe('order and duplicates do not change the outcome', () => {
  let inOrder: Outcome;
  beforeAll(async () => {
    inOrder = await deliver(EVENTS);
  });

  it('the in-order run is worth comparing: every place holds state', () => {
    const { index, findings } = inOrder.snapshot;
    expect(index[roleArn('web-exec')]!.map((e) => [e.family, e.revision, e.status, e.inUse])).toContainEqual([
      'web-old',
      1,
      'INACTIVE',
      false,
    ]);
    expect(index[roleArn('web-exec')]!.map((e) => [e.family, e.revision, e.status, e.inUse])).toContainEqual([
      'web-api',
      2,
      'INACTIVE',
      true,
    ]);
    expect(index[roleArn('payments-exec')]).toEqual([]);
    expect(findings[roleArn('payments-exec')]).toBeNull();
    for (const r of ['billing-exec', 'reports-exec', 'web-exec']) {
      expect(findings[roleArn(r)]?.some((f) => f.kind === 'denied' || f.kind === 'unexplained-denial')).toBe(true);
    }
    expect(Object.keys(inOrder.last).sort()).toEqual(['billing-exec', 'reports-exec', 'web-exec'].map(roleArn));
  });

  it.each([20261122, 7, 424242])(
    'shuffled with duplicates (seed %i): same index, same findings, same last notice per role',
    async (seed) => {
      const order = shuffledWithDuplicates(seed, 6);
      expect(order).not.toEqual(EVENTS);
      const outcome = await deliver(order);
      expect(outcome.snapshot).toEqual(inOrder.snapshot);
      expect(identities(outcome.last)).toEqual(identities(inOrder.last));
    },
  );
});
