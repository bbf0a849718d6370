// Test double for the policy evaluator (lib/engine/policy is another engineer's): IAM wildcard matching on
// Action/NotAction and Resource/NotResource, explicit Deny wins, conditional Allows reported as such.
import type { Evaluation, NamedPolicy, PolicyStatement, Requirement, StatementRef } from '../../../lib/engine/types.js';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function glob(pattern: string, value: string, ci: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ci ? 'is' : 's').test(value);
}

function matches(s: PolicyStatement, action: string, resource: string): boolean {
  const actionOk =
    s.NotAction !== undefined ? !list(s.NotAction).some((p) => glob(p, action, true)) : list(s.Action).some((p) => glob(p, action, true));
  const resourceOk =
    s.NotResource !== undefined
      ? !list(s.NotResource).some((p) => glob(p, resource, false))
      : list(s.Resource).some((p) => glob(p, resource, false));
  return actionOk && resourceOk;
}

export function fakeCovers(policies: NamedPolicy[], req: Requirement): Evaluation {
  const allow: StatementRef[] = [];
  const conditional: StatementRef[] = [];
  for (const p of policies) {
    for (const [i, s] of p.document.Statement.entries()) {
      if (!matches(s, req.action, req.resource)) continue;
      const ref = { policy: p.name, statement: i };
      if (s.Effect === 'Deny' && !s.Condition) return { decision: 'explicit-deny', matched: [ref] };
      if (s.Effect === 'Allow') (s.Condition ? conditional : allow).push(ref);
    }
  }
  if (allow.length > 0) return { decision: 'allowed', matched: allow };
  if (conditional.length > 0) return { decision: 'conditional', matched: conditional };
  return { decision: 'implicit-deny', matched: [] };
}
