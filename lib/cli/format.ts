// Human-readable output for the CLI; the --json forms are the stable contract documented in the README.
import type { Finding, Intent, Lookup, Reason, Requirement, SynthesizedPolicy, Warning } from '../engine/types.js';

export function reasonText(r: Reason): string {
  const where = [r.taskDefinition, r.container ? `container ${r.container}` : undefined, r.field].filter(Boolean).join(' ');
  return r.note ? `${where} (${r.note})` : where;
}

export function requirementJson(req: Requirement) {
  return {
    action: req.action,
    resource: req.resource,
    reason: req.reasons.map(reasonText).join('; '),
    ...(req.crossAccount ? { crossAccount: true } : {}),
  };
}

export function lookupJson(l: Lookup) {
  return { kind: l.kind, resource: l.resource, reason: l.reasons.map(reasonText).join('; ') };
}

export function warningJson(w: Warning) {
  return { code: w.code, message: w.message, ...(w.reasons?.length ? { reason: w.reasons.map(reasonText).join('; ') } : {}) };
}

export function planJson(intent: Intent, policy: SynthesizedPolicy) {
  return {
    policy: policy.document,
    size: policy.size,
    compaction: policy.compaction,
    requirements: intent.requirements.map(requirementJson),
    unresolved: intent.unresolved.map(lookupJson),
    warnings: intent.warnings.map(warningJson),
  };
}

export function findingJson(f: Finding) {
  return {
    kind: f.kind,
    severity: f.severity,
    action: f.action,
    resource: f.resource,
    reasons: f.reasons,
    ...(f.requiredBy?.length ? { requiredBy: f.requiredBy.map(reasonText) } : {}),
    ...(f.grantedBy?.length ? { grantedBy: f.grantedBy.map((g) => `${g.policy}#${g.sid ?? g.statement}`) } : {}),
    ...(f.evidence?.length ? { evidence: f.evidence } : {}),
  };
}

/** Pads columns of a small table; long cells are kept whole (people copy ARNs out of this). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** First reason, plus how many more: the table stays readable; --json carries them all. */
function reasonsShort(reasons: Reason[]): string {
  const [first, ...rest] = reasons;
  if (!first) return '';
  const where = [first.taskDefinition, first.container ? `container ${first.container}` : undefined, first.field].filter(Boolean).join(' ');
  return rest.length ? `${where} (+${rest.length} more)` : where;
}

export function planText(intent: Intent, policy: SynthesizedPolicy): string {
  const out: string[] = [];
  out.push(`Requirements (${intent.requirements.length}):`);
  out.push(table(intent.requirements.map((r) => ['  ' + r.action, r.resource, reasonsShort(r.reasons)])));
  if (intent.unresolved.length) {
    out.push('', `Unresolved (${intent.unresolved.length}):`);
    out.push(table(intent.unresolved.map((l) => ['  ' + l.kind, l.resource, reasonsShort(l.reasons)])));
  }
  if (intent.warnings.length) {
    out.push('', `Warnings (${intent.warnings.length}):`);
    for (const w of intent.warnings) out.push(`  [${w.code}] ${w.message}`);
  }
  if (policy.compaction.length) {
    out.push('', 'Compaction (extra access added to fit IAM size limits):');
    for (const c of policy.compaction) out.push(`  ${c.action}: ${c.from.length} resources → ${c.to} (${c.extraAccess})`);
  }
  const blind = intent.unresolved.filter((l) => l.kind === 'needs-account' || l.kind === 'needs-region');
  if (blind.length) {
    out.push('', `INCOMPLETE: ${blind.length} requirement(s) are left out until --account / --region are given (see Unresolved).`);
  }
  out.push('', `Policy (${policy.size} of 10240 characters):`, JSON.stringify(policy.document, null, 2));
  return out.join('\n') + '\n';
}

/** What the findings cannot see yet: lookups to resolve and warnings, after the findings table. */
export function unresolvedText(intent: Intent): string {
  const out: string[] = [];
  if (intent.unresolved.length) {
    out.push('', `Unresolved (${intent.unresolved.length}): not part of the findings until resolved`);
    out.push(table(intent.unresolved.map((l) => ['  ' + l.kind, l.resource, reasonsShort(l.reasons)])));
  }
  if (intent.warnings.length) {
    out.push('', `Warnings (${intent.warnings.length}):`);
    for (const w of intent.warnings) out.push(`  [${w.code}] ${w.message}`);
  }
  return out.length ? out.join('\n') + '\n' : '';
}

export function findingsText(findings: Finding[]): string {
  if (!findings.length) return 'No findings: the grant matches the intent.\n';
  const rows = findings.map((f) => [f.severity, f.kind, f.action, f.resource, f.reasons[0] ?? '']);
  return `Findings (${findings.length}):\n` + table([['SEVERITY', 'KIND', 'ACTION', 'RESOURCE', 'WHY'], ...rows]) + '\n';
}
