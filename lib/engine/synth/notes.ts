// Compaction notes describe the final policy only: one note per (action, pattern) the policy grants that no
// requirement names, with the required resources it covers and the extra access it adds (universe.ts).
import type { CompactionNote, PolicyDocument } from '../types.js';
import { splitResource } from './resource-names.js';
import type { Universe } from './universe.js';

const TYPE_WORDS: Record<string, string> = {
  'repository/': 'ECR repository',
  'log-group:': 'log group (and its log streams)',
  'parameter/': 'SSM parameter',
  'secret:': 'Secrets Manager secret',
  'key/': 'KMS key',
};

function describe(action: string, pattern: string, named: number, families: number): string {
  const split = splitResource(pattern);
  const parts = pattern.split(':');
  const service = parts[2] ?? '';
  const type = split ? split.base.slice(parts.slice(0, 5).join(':').length + 1) : '';
  const word = service === 's3' ? 'S3 object' : (TYPE_WORDS[type] ?? `${service} ${type.replace(/[/:]$/, '') || 'resource'}`);
  const where = [parts[3] && `Region ${parts[3]}`, parts[4] && `account ${parts[4]}`].filter(Boolean).join(', ');
  const extra = `${families} name ${families === 1 ? 'family' : 'families'} beyond the requirements`;
  return `${action} on every ${word} matching ${pattern}${where ? ` (${where})` : ''}, not only the ${named} named: ${extra}`;
}

/** `required`: resource → actions required on it (canonical spelling), as synthesized. */
export function compactionNotes(document: PolicyDocument, universe: Universe, required: Map<string, readonly string[]>): CompactionNote[] {
  const out: CompactionNote[] = [];
  const seen = new Set<string>();
  for (const st of document.Statement) {
    for (const action of [st.Action ?? []].flat()) {
      for (const pattern of [st.Resource ?? []].flat()) {
        if (required.get(pattern)?.includes(action)) continue;
        const key = `${action}\n${pattern}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const { extra, absorbed } = universe.grantOf(action, pattern);
        out.push({ action, from: absorbed, to: pattern, extraAccess: describe(action, pattern, absorbed.length, extra.length), extra });
      }
    }
  }
  return out;
}
