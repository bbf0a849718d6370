// Compaction steps for a policy over its size budget. A step replaces two or more resources of one
// statement by `<arn base><name prefix>*`, where the prefix ends at a name delimiter (`/ecs/`, `team/`,
// `db-`). The candidate with the LONGEST name prefix goes first: it adds the least access beyond what
// was named; ties go to the step that merges more resources. Steps never drop a resource; they only widen, so coverage holds by construction (and
// synthesize() still checks it).
import type { CompactionNote } from '../types.js';

export interface Draft {
  actions: string[];
  resources: string[];
}

export interface Step {
  draft: number;
  /** Length of the name part of the prefix: how specific the widened pattern still is. */
  specificity: number;
  prefix: string;
  pattern: string;
  absorbed: string[];
}

const DELIMITERS = new Set(['/', '-', '_', '.', ':']);

/** `arn:p:svc:region:account:` + resource type (`repository/`, `log-group:`, `secret:`; none for S3). */
export function splitResource(resource: string): { base: string; name: string } | undefined {
  if (!resource.startsWith('arn:')) return undefined;
  const parts = resource.split(':');
  if (parts.length < 6) return undefined;
  const header = `${parts.slice(0, 5).join(':')}:`;
  const rest = resource.slice(header.length);
  if (parts[2] === 's3') return { base: header, name: rest };
  const cut = [...rest].findIndex((c) => c === '/' || c === ':');
  if (cut < 0) return { base: header, name: rest };
  return { base: header + rest.slice(0, cut + 1), name: rest.slice(cut + 1) };
}

/** Literal name prefixes ending at a delimiter, plus the empty prefix (every resource of that type). */
function prefixes(name: string): string[] {
  const out = [''];
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '*' || c === '?' || c === '$') break;
    if (DELIMITERS.has(c)) out.push(name.slice(0, i + 1));
  }
  return out;
}

/** The next compaction step over all drafts, or undefined when nothing can be merged any more. */
export function nextStep(drafts: Draft[]): Step | undefined {
  let best: Step | undefined;
  drafts.forEach((d, index) => {
    const counts = new Map<string, { prefix: string; specificity: number; members: string[] }>();
    for (const r of d.resources) {
      const split = splitResource(r);
      if (!split) continue;
      for (const prefix of prefixes(split.name)) {
        const key = split.base + prefix;
        const entry = counts.get(key) ?? { prefix: key, specificity: prefix.length, members: [] };
        entry.members.push(r);
        counts.set(key, entry);
      }
    }
    for (const { prefix, specificity, members } of counts.values()) {
      if (members.length < 2) continue;
      const candidate: Step = { draft: index, specificity, prefix, pattern: `${prefix}*`, absorbed: [...members].sort() };
      if (!best || better(candidate, best)) best = candidate;
    }
  });
  return best;
}

// Specificity is measured on the name (not the whole ARN), so services with long ARN bases do not win.
function better(a: Step, b: Step): boolean {
  if (a.specificity !== b.specificity) return a.specificity > b.specificity;
  if (a.absorbed.length !== b.absorbed.length) return a.absorbed.length > b.absorbed.length;
  if (a.pattern !== b.pattern) return a.pattern < b.pattern;
  return a.draft < b.draft;
}

const TYPE_WORDS: Record<string, string> = {
  'repository/': 'ECR repository',
  'log-group:': 'log group (and its log streams)',
  'parameter/': 'SSM parameter',
  'secret:': 'Secrets Manager secret',
  'key/': 'KMS key',
};

function describe(pattern: string, count: number): string {
  const split = splitResource(pattern);
  const parts = pattern.split(':');
  const service = parts[2] ?? '';
  const type = split ? split.base.slice(parts.slice(0, 5).join(':').length + 1) : '';
  const word = service === 's3' ? 'S3 object' : (TYPE_WORDS[type] ?? `${service} ${type.replace(/[/:]$/, '') || 'resource'}`);
  const where = [parts[3] && `Region ${parts[3]}`, parts[4] && `account ${parts[4]}`].filter(Boolean).join(', ');
  return `every ${word} matching ${pattern}${where ? ` (${where})` : ''}, not only the ${count} named`;
}

/** Applies a step in place and returns one note per action of the widened statement. */
export function applyStep(drafts: Draft[], step: Step): CompactionNote[] {
  const d = drafts[step.draft]!;
  const absorbed = new Set(step.absorbed);
  d.resources = [...new Set([...d.resources.filter((r) => !absorbed.has(r)), step.pattern])].sort();
  const extra = describe(step.pattern, step.absorbed.length);
  return d.actions.map((action) => ({ action, from: step.absorbed, to: step.pattern, extraAccess: `${action} on ${extra}` }));
}

/** Statements left with the same resources become one: (A×R) ∪ (B×R) = (A∪B)×R, no access added. */
export function mergeIdentical(drafts: Draft[]): Draft[] {
  const byResources = new Map<string, Draft>();
  for (const d of drafts) {
    const key = d.resources.join('\n');
    const seen = byResources.get(key);
    if (seen) seen.actions = [...new Set([...seen.actions, ...d.actions])].sort();
    else byResources.set(key, { actions: [...d.actions], resources: [...d.resources] });
  }
  return [...byResources.values()];
}
