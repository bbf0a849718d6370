// Least-privilege policy synthesis: one statement per distinct action set, listing every resource that
// needs exactly that set (actions and resources sorted), `ecr:GetAuthorizationToken` alone on `*`.
// Deterministic: the output depends only on the set of (action, resource) pairs, never on input order.
// Over the size budget it compacts step by step (compact.ts) and records what each step adds.
import { LeashError } from '../../errors.js';
import { canonicalAction } from '../policy/actions.js';
import { coversRequirement } from '../policy/evaluate.js';
import { INLINE_POLICY_BUDGET, policySize } from '../policy/size.js';
import type { CompactionNote, NamedPolicy, PolicyDocument, PolicyStatement, Requirement, SynthesizedPolicy } from '../types.js';
import { resourceIncludes } from '../policy/wildcard.js';
import { applyStep, mergeIdentical, nextStep, type Draft } from './compact.js';

export interface SynthesizeOptions {
  /** Size budget in non-whitespace characters; default 10,240 (all inline policies of a role). */
  maxSize?: number;
  /** Prepended to every Sid (alphanumerics only), e.g. `Leash`. */
  sidPrefix?: string;
}

const AUTH = 'ecr:GetAuthorizationToken';

/** (action, resource) pairs, deduplicated; uncatalogued actions differing only in case keep one spelling. */
function pairs(reqs: Requirement[]): Map<string, Set<string>> {
  const spelling = new Map<string, string>();
  for (const r of reqs) {
    const a = canonicalAction(r.action);
    const k = a.toLowerCase();
    const seen = spelling.get(k);
    if (seen === undefined || a < seen) spelling.set(k, a);
  }
  const byResource = new Map<string, Set<string>>();
  for (const r of reqs) {
    const action = spelling.get(canonicalAction(r.action).toLowerCase())!;
    // GetAuthorizationToken has no resource-level permission: `*` is the only resource that works.
    const resource = action === AUTH ? '*' : r.resource;
    const set = byResource.get(resource) ?? new Set<string>();
    set.add(action);
    byResource.set(resource, set);
  }
  return byResource;
}

function drafts(reqs: Requirement[]): Draft[] {
  const byActions = new Map<string, Draft>();
  const add = (actions: string[], resource: string): void => {
    const key = actions.join('\n');
    const d = byActions.get(key) ?? { actions, resources: [] };
    d.resources.push(resource);
    byActions.set(key, d);
  };
  for (const [resource, set] of pairs(reqs)) {
    const actions = [...set].sort();
    if (set.has(AUTH) && actions.length > 1) {
      add([AUTH], resource);
      add(
        actions.filter((a) => a !== AUTH),
        resource,
      );
    } else {
      add(actions, resource);
    }
  }
  for (const d of byActions.values()) d.resources.sort();
  return [...byActions.values()];
}

/** Sid stem and display order from the statement's content. */
function family(d: Draft): [string, number] {
  const services = [...new Set(d.actions.map((a) => a.slice(0, a.indexOf(':'))))];
  const only = (s: string): boolean => services.length === 1 && services[0] === s;
  if (d.actions.length === 1 && d.actions[0] === AUTH) return ['EcrAuth', 0];
  if (only('ecr')) return ['EcrPull', 1];
  if (only('logs')) return ['Logs', 2];
  if (only('ssm')) return ['SsmParameters', 3];
  if (only('secretsmanager')) return ['Secrets', 4];
  if (only('kms')) return [d.actions.every((a) => a === 'kms:Decrypt') ? 'KmsDecrypt' : 'Kms', 5];
  if (only('s3')) {
    if (d.actions.every((a) => a === 's3:GetObject')) return ['S3Objects', 6];
    if (d.actions.every((a) => a === 's3:GetBucketLocation')) return ['S3Buckets', 6];
    return ['S3', 6];
  }
  const pascal = services.map((s) =>
    s.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_m, _d, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, ''),
  );
  return [pascal.join('') || 'Other', 7];
}

const one = (v: string[]): string | string[] => (v.length === 1 ? v[0]! : v);

function render(list: Draft[], sidPrefix: string): PolicyDocument {
  const keyed = list.map((d) => ({ d, fam: family(d), key: `${d.actions.join(',')}|${d.resources.join(',')}` }));
  keyed.sort(
    (a, b) =>
      a.fam[1] - b.fam[1] || (a.fam[0] < b.fam[0] ? -1 : a.fam[0] > b.fam[0] ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const totals = new Map<string, number>();
  for (const k of keyed) totals.set(k.fam[0], (totals.get(k.fam[0]) ?? 0) + 1);
  const seen = new Map<string, number>();
  const Statement: PolicyStatement[] = keyed.map(({ d, fam: [stem] }) => {
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    const Sid = `${sidPrefix}${stem}${totals.get(stem)! > 1 ? n : ''}`;
    return { Sid, Effect: 'Allow', Action: one(d.actions), Resource: one(d.resources) };
  });
  return { Version: '2012-10-17', Statement };
}

/** Never under-grant: every requirement must be allowed by the result, or this is a bug worth failing on. */
function assertCovers(reqs: Requirement[], document: PolicyDocument): void {
  const policy: NamedPolicy = { name: 'synthesized', kind: 'inline', document };
  for (const r of reqs) {
    const action = canonicalAction(r.action);
    const resource = action === AUTH ? '*' : r.resource;
    const ev = coversRequirement([policy], { action, resource, reasons: r.reasons });
    if (ev.decision !== 'allowed') {
      throw new LeashError(`internal error: synthesized policy does not cover ${action} on ${resource} (${ev.decision})`);
    }
  }
}

export function synthesize(reqs: Requirement[], opts: SynthesizeOptions = {}): SynthesizedPolicy {
  const maxSize = opts.maxSize ?? INLINE_POLICY_BUDGET;
  const sidPrefix = (opts.sidPrefix ?? '').replace(/[^A-Za-z0-9]/g, '');
  let list = drafts(reqs);
  const compaction: CompactionNote[] = [];
  let document = render(list, sidPrefix);
  let size = policySize(document);
  while (size > maxSize) {
    // Work on the rendered order so tie-breaks are deterministic.
    list = document.Statement.map((s) => ({ actions: [s.Action ?? []].flat(), resources: [s.Resource ?? []].flat() }));
    const step = nextStep(list);
    if (!step) {
      throw new LeashError(
        `the least-privilege policy needs ${size} characters, over the ${maxSize}-character limit even after compaction; ` +
          'split the role or reduce the resources it needs',
      );
    }
    compaction.push(...applyStep(list, step));
    list = mergeIdentical(list);
    document = render(list, sidPrefix);
    size = policySize(document);
  }
  assertCovers(reqs, document);
  return { document, size, compaction: compaction.length ? netCompaction(reqs, document, compaction) : [] };
}

/**
 * What the compaction adds, stated once per final pattern: intermediate steps that a later, broader pattern
 * absorbed would only repeat themselves. Each note lists the named resources the pattern replaced.
 */
function netCompaction(reqs: Requirement[], document: PolicyDocument, steps: CompactionNote[]): CompactionNote[] {
  const named = new Set(reqs.map((r) => `${canonicalAction(r.action)}\n${r.resource}`));
  const words = new Map(steps.map((n) => [`${n.action}\n${n.to}`, n.extraAccess]));
  const out: CompactionNote[] = [];
  for (const st of document.Statement) {
    for (const action of [st.Action ?? []].flat()) {
      for (const pattern of [st.Resource ?? []].flat()) {
        if (named.has(`${action}\n${pattern}`)) continue;
        const from = reqs
          .filter((r) => canonicalAction(r.action) === action && resourceIncludes(pattern, r.resource))
          .map((r) => r.resource);
        const extraAccess = (words.get(`${action}\n${pattern}`) ?? `${action} on every resource matching ${pattern}`).replace(
          /not only the \d+ named$/,
          `not only the ${new Set(from).size} named`,
        );
        out.push({ action, from: [...new Set(from)].sort(), to: pattern, extraAccess });
      }
    }
  }
  return out;
}
