// Console output for the local demo: findings per role as a table a person can read.
import { table } from '../../cli/format.js';
import type { Finding } from '../../engine/types.js';

const short = (arn: string) => arn.replace(/^arn:aws:[a-z0-9-]+:[a-z0-9-]*:\d{12}:/, '');

export function findingsTable(roleArn: string, findings: Finding[]): string {
  const head = `\n■ ${roleArn.split('/').pop()}  (${findings.length} finding${findings.length === 1 ? '' : 's'})`;
  if (!findings.length) return `${head}\n  no findings: grant matches intent`;
  const rows = findings.map((f) => [
    '  ' + f.severity,
    f.kind,
    f.action,
    short(f.resource),
    (f.evidence?.length ? `[${f.evidence.length} evidence] ` : '') + (f.reasons[0] ?? ''),
  ]);
  // What the evidence said (the fold's last reason) goes on its own line under the finding.
  const lines = table([['  SEVERITY', 'KIND', 'ACTION', 'RESOURCE', 'WHY'], ...rows]).split('\n');
  const out = [lines[0]!];
  findings.forEach((f, i) => {
    out.push(lines[i + 1]!);
    const last = f.reasons.at(-1);
    if (f.reasons.length > 1 && last && /confirmed unused|used \d+ time|absence of use|denied \d+ time/.test(last))
      out.push(`      ↳ ${last}`);
  });
  return `${head}\n${out.join('\n')}`;
}

export function step(n: number, text: string): string {
  return `\n[${n}] ${text}`;
}
