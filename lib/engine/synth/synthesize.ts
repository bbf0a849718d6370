// Least-privilege policy synthesis: one statement per distinct action set, listing every resource that
// needs exactly that set (actions and resources sorted), `ecr:GetAuthorizationToken` alone on `*`.
// Deterministic: the output depends only on the set of (action, resource) pairs, never on input order.
// Over the size budget it compacts (compact.ts) and notes what the final policy grants beyond the requirements.
import { LeashError } from '../../errors.js';
import { canonicalAction } from '../policy/actions.js';
import { coversRequirement } from '../policy/evaluate.js';
import { INLINE_POLICY_BUDGET, policySize } from '../policy/size.js';
import { literalStarPrefix } from '../policy/wildcard.js';
import type { NamedPolicy, PolicyDocument, Requirement, SynthesizedPolicy } from '../types.js';
import { compact } from './compact.js';
import { compactionNotes } from './notes.js';
import { AUTH, render, type Draft } from './render.js';
import { draftsSize } from './size-model.js';
import { Universe } from './universe.js';

export interface SynthesizeOptions {
  /** Size budget in non-whitespace characters; default 10,240 (all inline policies of a role). */
  maxSize?: number;
  /** Prepended to every Sid (alphanumerics only), e.g. `Leash`. */
  sidPrefix?: string;
}

/** (action, resource) pairs, deduplicated, as resource → its actions (sorted); uncatalogued actions differing only in case keep one spelling. */
function pairs(reqs: Requirement[]): Map<string, string[]> {
  const canonical = new Map<string, string>();
  for (const r of reqs) if (!canonical.has(r.action)) canonical.set(r.action, canonicalAction(r.action));
  const spelling = new Map<string, string>();
  for (const a of canonical.values()) {
    const k = a.toLowerCase();
    const seen = spelling.get(k);
    if (seen === undefined || a < seen) spelling.set(k, a);
  }
  for (const [raw, a] of canonical) canonical.set(raw, spelling.get(a.toLowerCase())!);
  const byResource = new Map<string, string[]>();
  for (const r of reqs) {
    const action = canonical.get(r.action)!;
    // GetAuthorizationToken has no resource-level permission: `*` is the only resource that works.
    const resource = action === AUTH ? '*' : r.resource;
    const list = byResource.get(resource);
    if (!list) byResource.set(resource, [action]);
    else if (!list.includes(action)) list.push(action);
  }
  for (const list of byResource.values()) if (list.length > 1) list.sort();
  return byResource;
}

function drafts(byResource: Map<string, string[]>): Draft[] {
  const byActions = new Map<string, Draft>();
  const add = (actions: string[], resource: string): void => {
    const key = actions.length === 1 ? actions[0]! : actions.join('\n');
    let d = byActions.get(key);
    if (!d) byActions.set(key, (d = { actions: [...actions], resources: [] }));
    d.resources.push(resource);
  };
  for (const [resource, actions] of byResource) {
    if (actions.length > 1 && actions.includes(AUTH)) {
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

/**
 * Never under-grant: every requirement must be allowed by the result, or this is a bug worth failing on. The
 * policy has only unconditional Allow statements, so a requirement is allowed when a statement with its action
 * names its resource as is, or holds it under a `<literal>*` pattern (wildcard.ts: literalStarPrefix); anything
 * else goes through the evaluator.
 */
function assertCovers(reqs: Requirement[], document: PolicyDocument): void {
  const policy: NamedPolicy = { name: 'synthesized', kind: 'inline', document };
  const written = new Map<string, { exact: Set<string>; heads: string[] }>();
  for (const st of document.Statement) {
    const resources = [st.Resource ?? []].flat();
    for (const a of [st.Action ?? []].flat()) {
      let w = written.get(a);
      if (!w) written.set(a, (w = { exact: new Set(), heads: [] }));
      for (const r of resources) {
        w.exact.add(r);
        const head = literalStarPrefix(r);
        if (head !== undefined) w.heads.push(head);
      }
    }
  }
  const canonical = new Map<string, string>();
  for (const r of reqs) {
    let action = canonical.get(r.action);
    if (action === undefined) canonical.set(r.action, (action = canonicalAction(r.action)));
    const resource = action === AUTH ? '*' : r.resource;
    const w = written.get(action);
    if (w && (w.exact.has(resource) || (!resource.includes('${') && w.heads.some((h) => resource.startsWith(h))))) continue;
    const ev = coversRequirement([policy], { action, resource, reasons: r.reasons });
    if (ev.decision !== 'allowed') {
      throw new LeashError(`internal error: synthesized policy does not cover ${action} on ${resource} (${ev.decision})`);
    }
  }
}

export function synthesize(reqs: Requirement[], opts: SynthesizeOptions = {}): SynthesizedPolicy {
  const maxSize = opts.maxSize ?? INLINE_POLICY_BUDGET;
  const sidPrefix = (opts.sidPrefix ?? '').replace(/[^A-Za-z0-9]/g, '');
  const byResource = pairs(reqs);
  const list = drafts(byResource);
  // The size model is exact: a policy that fits is rendered once, a large one that does not is never rendered whole.
  if (byResource.size <= 64 || draftsSize(list, sidPrefix) <= maxSize) {
    const document = render(list, sidPrefix);
    const size = policySize(document);
    if (size <= maxSize) {
      assertCovers(reqs, document);
      return { document, size, compaction: [] };
    }
  }
  const universe = new Universe(list);
  const document = render(compact(list, universe, maxSize, sidPrefix), sidPrefix);
  const size = policySize(document);
  if (size > maxSize) throw new LeashError(`internal error: compaction left ${size} characters, over the ${maxSize}-character limit`);
  assertCovers(reqs, document);
  return { document, size, compaction: compactionNotes(document, universe, byResource) };
}
