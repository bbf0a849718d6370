// Human-readable output for the CLI; the --json forms are the stable contract documented in the README.
// Text wraps at the terminal width (ARNs are never broken: people copy them out), keeps every reason's note (EC2
// caveats, suffix guesses, placeholders) and shows each warning with the task definition, container and field.
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
  return {
    kind: l.kind,
    resource: l.resource,
    reason: l.reasons.map(reasonText).join('; '),
    fields: [...new Set(l.reasons.map((r) => r.field))],
  };
}

export function warningJson(w: Warning) {
  return { code: w.code, message: w.message, ...(w.reasons?.length ? { reason: w.reasons.map(reasonText).join('; ') } : {}) };
}

/** Unresolved entries that make a plan incomplete. KMS lookups never do: no task definition names the key. */
export function incompleteEntries(intent: Intent): Lookup[] {
  return intent.unresolved.filter((l) => l.kind !== 'kms-key-for-secret' && l.kind !== 'kms-key-for-parameter');
}

export function planJson(intent: Intent, policy: SynthesizedPolicy) {
  return {
    complete: incompleteEntries(intent).length === 0,
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

// --- text ---

export const DEFAULT_WIDTH = 100;

/** Words to lines of at most `width` columns, every line after the first indented by `indent`. A word longer than
 *  the line (an ARN) gets a line of its own rather than being broken. */
export function wrap(text: string, width: number, indent = '', first = indent): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  if (!empty) out.push(line);
  return out;
}

/** Pads columns of a small table; long cells are kept whole (people copy ARNs out of this). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

const SHOWN_REASONS = 5;

/** One line (wrapped) per reason, notes kept; after five, how many more (--json lists them all). */
function reasonLines(reasons: Reason[], width: number, indent = '      '): string[] {
  const lines = reasons.slice(0, SHOWN_REASONS).flatMap((r) => wrap(reasonText(r), width, `${indent}  `, indent));
  if (reasons.length > SHOWN_REASONS) lines.push(`${indent}… and ${reasons.length - SHOWN_REASONS} more (--json lists every reason)`);
  return lines;
}

const shown = (resource: string): string => (resource === '' ? '""' : resource);

function unresolvedLines(intent: Intent, width: number): string[] {
  const out: string[] = [];
  for (const l of intent.unresolved) {
    out.push(`  ${l.kind}  ${shown(l.resource)}`);
    out.push(...reasonLines(l.reasons, width));
  }
  return out;
}

/** Each warning wrapped, then where it comes from: task definition, container and field (with the note). */
export function warningLines(warnings: Warning[], width: number): string[] {
  return warnings.flatMap((w) => [...wrap(`[${w.code}] ${w.message}`, width, '      ', '  '), ...reasonLines(w.reasons ?? [], width)]);
}

function statusLines(intent: Intent, width: number): string[] {
  const out: string[] = [];
  const open = incompleteEntries(intent);
  const placeholders = open.filter((l) => l.kind === 'placeholder').length;
  const blind = open.length - placeholders;
  if (placeholders) {
    out.push(
      ...wrap(
        `INCOMPLETE: ${placeholders} placeholder(s) in the task definitions (see Unresolved). Grants that depend on them keep them as written: the policy is a template, to be filled by the same substitution as the task definition before it is applied.`,
        width,
      ),
    );
  }
  if (blind)
    out.push(...wrap(`INCOMPLETE: ${blind} resource(s) are left out until --account / --region are given (see Unresolved).`, width));
  const kms = intent.unresolved.length - open.length;
  if (kms) {
    out.push(
      ...wrap(
        `${kms} KMS lookup(s): if a secret or parameter is encrypted with a customer managed key, the role also needs kms:Decrypt on that key (leash check looks the keys up).`,
        width,
      ),
    );
  }
  return out;
}

export function planText(intent: Intent, policy: SynthesizedPolicy, width = DEFAULT_WIDTH): string {
  const out: string[] = [];
  out.push(`Requirements (${intent.requirements.length}):`);
  for (const r of intent.requirements) {
    out.push(`  ${r.action}  ${r.resource}${r.crossAccount ? '  (another account: its resource policy must allow the role too)' : ''}`);
    out.push(...reasonLines(r.reasons, width));
  }
  if (intent.unresolved.length) out.push('', `Unresolved (${intent.unresolved.length}):`, ...unresolvedLines(intent, width));
  if (intent.warnings.length) out.push('', `Warnings (${intent.warnings.length}):`, ...warningLines(intent.warnings, width));
  if (policy.compaction.length) {
    out.push('', 'Compaction (extra access added to fit IAM size limits):');
    for (const c of policy.compaction)
      out.push(...wrap(`${c.action}: ${c.from.length} resources → ${c.to} (${c.extraAccess})`, width, '      ', '  '));
  }
  const status = statusLines(intent, width);
  if (status.length) out.push('', ...status);
  out.push('', `Policy (${policy.size} of 10240 characters):`, JSON.stringify(policy.document, null, 2));
  return out.join('\n') + '\n';
}

/** What the findings cannot see yet: lookups to resolve and warnings, after the findings. */
export function unresolvedText(intent: Intent, width = DEFAULT_WIDTH): string {
  const out: string[] = [];
  if (intent.unresolved.length) {
    out.push('', `Unresolved (${intent.unresolved.length}): not part of the findings until resolved`, ...unresolvedLines(intent, width));
  }
  if (intent.warnings.length) out.push('', `Warnings (${intent.warnings.length}):`, ...warningLines(intent.warnings, width));
  return out.length ? out.join('\n') + '\n' : '';
}

export function findingsText(findings: Finding[], width = DEFAULT_WIDTH): string {
  if (!findings.length) return 'No findings: the grant matches the intent.\n';
  const out = [`Findings (${findings.length}):`];
  for (const f of findings) {
    out.push(`  ${f.severity}  ${f.kind}  ${f.action}  ${f.resource}`);
    for (const why of f.reasons) out.push(...wrap(why, width, '        ', '      '));
    if (f.requiredBy?.length) out.push('      required by:', ...reasonLines(f.requiredBy, width, '        '));
  }
  return out.join('\n') + '\n';
}
