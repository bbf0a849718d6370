// Plain-text views of a plan shared by Slack blocks, the approval page and tickets, so they all say the same thing.
import type { EvidenceRef, Finding, FindingKind, Plan } from '../types.js';

/** Most urgent first: the order every channel lists finding kinds in. */
export const KIND_ORDER: FindingKind[] = [
  'missing',
  'denied',
  'unexplained-denial',
  'too-broad',
  'excess',
  'excess-in-use',
  'conditional',
  'trust-policy',
  'shared-role',
  'invalid-mode-tag',
  'invalid-scope-tag',
];

export const KIND_TITLES: Record<FindingKind, string> = {
  missing: 'Missing (tasks will fail to start)',
  denied: 'Denied (seen in CloudTrail or stop reasons)',
  'unexplained-denial': 'Denied without a known cause',
  'too-broad': 'Too broad',
  excess: 'Excess (removal candidate)',
  'excess-in-use': 'Excess but used recently (review only)',
  conditional: 'Granted only under conditions',
  'trust-policy': 'Trust policy',
  'shared-role': 'Shared role (more than an execution role: split proposed)',
  'invalid-mode-tag': 'Invalid leash:mode tag (treated as observe)',
  'invalid-scope-tag': 'Invalid leash:scope tag (scope empty)',
};

export function groupByKind(findings: Finding[]): { kind: FindingKind; findings: Finding[] }[] {
  return KIND_ORDER.map((kind) => ({ kind, findings: findings.filter((f) => f.kind === kind) })).filter((g) => g.findings.length > 0);
}

export function findingSummary(f: Finding): { action: string; resource: string; reason: string } {
  return { action: f.action, resource: f.resource, reason: f.reasons[0] ?? '' };
}

export interface DiffLine {
  sign: '+' | '-' | '~';
  text: string;
}

/** Adds, removes, detaches, deleted inline policies, then what compaction widened. */
export function diffLines(plan: Plan): DiffLine[] {
  return [
    ...plan.additions.map((a) => ({ sign: '+' as const, text: `${a.action} on ${a.resource}` })),
    ...plan.removals.map((r) => ({ sign: '-' as const, text: `${r.action} on ${r.resource}` })),
    ...plan.detach.map((arn) => ({ sign: '-' as const, text: `detach managed policy ${arn}` })),
    ...plan.deleteInline.map((n) => ({ sign: '-' as const, text: `delete inline policy ${n}` })),
    ...plan.compaction.map((c) => ({
      sign: '~' as const,
      text: `${c.action}: ${c.from.length} resource(s) compacted to ${c.to} (adds: ${c.extraAccess})`,
    })),
  ];
}

export interface EvidenceLine {
  at: string;
  kind: EvidenceRef['kind'];
  action: string;
  text: string;
}

/** Evidence across findings, newest first, one line each. */
export function evidenceLines(findings: Finding[]): EvidenceLine[] {
  const lines = findings.flatMap((f) =>
    (f.evidence ?? []).map((e) => ({
      at: e.at,
      kind: e.kind,
      action: f.action,
      text: `${e.kind} of ${f.action} (${e.source}${e.detail ? `: ${e.detail}` : ''})`,
    })),
  );
  return lines.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.text.localeCompare(b.text)));
}

/** Shortens to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Joins as many lines as fit in `max` characters and says how many were left out ("…and N more"), so a big plan
 * still produces a valid message instead of an API error.
 */
export function fitLines(lines: string[], max: number, perLine = max): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = truncate(lines[i] ?? '', perLine);
    const remaining = lines.length - i - 1;
    const reserve = remaining > 0 ? `\n…and ${remaining} more`.length : 0;
    if (used + line.length + (out.length ? 1 : 0) + reserve > max) {
      const left = lines.length - i;
      return [...out, `…and ${left} more`].join('\n');
    }
    out.push(line);
    used += line.length + (out.length > 1 ? 1 : 0);
  }
  return out.join('\n');
}
