// The answer of `leash check` in four forms: text for people, JSON for scripts, GitHub workflow annotations
// (`::error file=…,line=…::…`, shown on the pull request's diff) and SARIF 2.1.0 for code scanning. Every location
// points at the field of the task-definition file that asks for the access. Text from the task definition is data:
// annotation commands are escaped so a value can never end one command and start another.
import { relative, sep } from 'node:path';
import { locate, offsetOfPath } from '../engine/input/json-location.js';
import type { Finding, Intent, Lookup, PolicyDocument, Reason } from '../engine/types.js';
import { findingJson, incompleteEntries, lookupJson, reasonText, warningJson, warningLines, wrap } from './format.js';
import { version } from './version.js';

export interface FileInfo {
  file: string;
  text: string;
  /** JSON path of the task definition inside the file. */
  path: string;
  /** The label reasons carry (`taskDefinitionLabel`). */
  label: string;
}

export interface CheckResult {
  verdict: 'pass' | 'blocked' | 'incomplete';
  exitCode: number;
  role?: string;
  source: 'iam' | 'policy-files';
  intent: Intent;
  findings: Finding[];
  blocking: Finding[];
  /** The statements that, added to the role, let the task start. */
  add?: PolicyDocument;
  files: FileInfo[];
}

interface Location {
  file: string;
  line: number;
  column: number;
}

function locator(files: FileInfo[]) {
  const byLabel = new Map<string, FileInfo>();
  for (const f of files) if (!byLabel.has(f.label)) byLabel.set(f.label, f);
  return (r: Reason | undefined): Location | undefined => {
    const info = (r && byLabel.get(r.taskDefinition)) ?? files[0];
    if (!info) return undefined;
    const field = r?.field ?? 'executionRoleArn';
    const full = field === '$' ? info.path : field.startsWith('[') ? `${info.path}${field}` : `${info.path}.${field}`;
    const at = locate(info.text, offsetOfPath(info.text, full));
    return { file: info.file, line: at.line, column: at.column };
  };
}

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function uriOf(file: string): string {
  const rel = relative(process.cwd(), file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}

function findingMessage(f: Finding): string {
  return `${f.action} on ${f.resource}: ${f.reasons.join(' ')}`;
}

function headline(r: CheckResult): string {
  const who = r.role ? `role ${r.role}` : 'the role';
  const src = r.source === 'iam' ? 'read from IAM' : 'from the policy files given';
  const missing = r.blocking.filter((f) => f.kind === 'missing').length;
  if (r.verdict === 'pass') {
    return `PASS: ${who} (${src}) grants everything the task needs to start (${r.intent.requirements.length} permissions checked).`;
  }
  if (r.verdict === 'blocked') {
    const other = r.blocking.length - missing;
    return `BLOCKED: ${missing ? `${who} (${src}) lacks ${missing} permission(s) the task needs to start` : `${other} finding(s) match --fail-on`}${missing && other ? `, and ${other} finding(s) match --fail-on` : ''}.`;
  }
  const open = incompleteEntries(r.intent);
  return `CANNOT TELL: ${open.length} value(s) are still unknown (placeholders: fill them with --var KEY=VALUE; account or Region: --account / --region). Everything else is granted.`;
}

function lookupLines(l: Lookup, width: number): string[] {
  return [
    `  ${l.kind}  ${l.resource === '' ? '""' : l.resource}`,
    ...l.reasons.slice(0, 5).flatMap((r) => wrap(reasonText(r), width, '        ', '      ')),
  ];
}

export function checkReport(r: CheckResult, width: number) {
  const where = locator(r.files);
  const at = (reason: Reason | undefined): string => {
    const loc = where(reason);
    return loc ? `${loc.file}:${loc.line}` : '';
  };
  const nonBlocking = r.findings.filter((f) => !r.blocking.includes(f));

  const text = (): string => {
    const out: string[] = [...wrap(headline(r), width)];
    if (r.blocking.length) {
      out.push('', r.verdict === 'blocked' ? 'Blocking:' : 'Findings:');
      for (const f of r.blocking) {
        out.push(`  ${f.kind}  ${f.action}  ${f.resource}`);
        for (const why of f.reasons) out.push(...wrap(why, width, '        ', '      '));
        for (const req of (f.requiredBy ?? []).slice(0, 5))
          out.push(...wrap(`${reasonText(req)}  [${at(req)}]`, width, '        ', '      '));
      }
    }
    if (r.add)
      out.push('', 'Add these statements to the role (an inline policy, or a policy attached to it):', JSON.stringify(r.add, null, 2));
    if (nonBlocking.length) {
      out.push('', 'Also found (not blocking; --fail-on too-broad or review makes them block):');
      for (const f of nonBlocking)
        out.push(...wrap(`${f.severity} ${f.kind} ${f.action} ${f.resource}: ${f.reasons[0] ?? ''}`, width, '      ', '  '));
    }
    if (r.intent.unresolved.length) {
      out.push('', `Unresolved (${r.intent.unresolved.length}):`);
      for (const l of r.intent.unresolved) out.push(...lookupLines(l, width));
    }
    if (r.intent.warnings.length) out.push('', `Warnings (${r.intent.warnings.length}):`, ...warningLines(r.intent.warnings, width));
    return out.join('\n') + '\n';
  };

  const json = (): string =>
    JSON.stringify(
      {
        verdict: r.verdict,
        exitCode: r.exitCode,
        ...(r.role && { role: r.role }),
        source: r.source,
        checked: r.intent.requirements.length,
        blocking: r.blocking.map(findingJson),
        ...(r.add && { add: r.add }),
        findings: r.findings.map(findingJson),
        unresolved: r.intent.unresolved.map(lookupJson),
        warnings: r.intent.warnings.map(warningJson),
      },
      null,
      2,
    ) + '\n';

  /** One annotation per field that asks for the access (at most five per finding). */
  const github = (): string => {
    const lines: string[] = [];
    const annotate = (level: 'error' | 'warning' | 'notice', title: string, message: string, reasons: Reason[] | undefined) => {
      for (const reason of (reasons?.length ? reasons : [undefined]).slice(0, 5)) {
        const loc = where(reason);
        const props = loc ? `file=${escapeProperty(uriOf(loc.file))},line=${loc.line},col=${loc.column},` : '';
        lines.push(`::${level} ${props}title=${escapeProperty(title)}::${escapeData(message)}`);
      }
    };
    for (const f of r.blocking) annotate('error', `Leash: ${f.kind} ${f.action}`, findingMessage(f), f.requiredBy);
    for (const f of nonBlocking) annotate('warning', `Leash: ${f.kind} ${f.action}`, findingMessage(f), f.requiredBy);
    for (const l of incompleteEntries(r.intent)) {
      annotate(
        'warning',
        `Leash: unresolved ${l.kind}`,
        `${l.kind} ${l.resource}: ${l.reasons[0]?.note ?? 'unknown until substituted'}`,
        l.reasons.slice(0, 1),
      );
    }
    if (r.add) lines.push(`::group::Statements to add to ${r.role ?? 'the role'}`, JSON.stringify(r.add, null, 2), '::endgroup::');
    lines.push(headline(r));
    return lines.join('\n') + '\n';
  };

  const sarif = (): string => {
    const rules = new Map<string, { id: string; shortDescription: { text: string } }>();
    const results: unknown[] = [];
    const add = (
      ruleId: string,
      description: string,
      level: 'error' | 'warning' | 'note',
      message: string,
      reasons: Reason[] | undefined,
    ) => {
      if (!rules.has(ruleId)) rules.set(ruleId, { id: ruleId, shortDescription: { text: description } });
      const locations = (reasons?.length ? reasons : [undefined]).slice(0, 5).flatMap((reason) => {
        const loc = where(reason);
        return loc
          ? [{ physicalLocation: { artifactLocation: { uri: uriOf(loc.file) }, region: { startLine: loc.line, startColumn: loc.column } } }]
          : [];
      });
      results.push({ ruleId, level, message: { text: message }, ...(locations.length && { locations }) });
    };
    const DESCRIPTION: Record<string, string> = {
      missing: 'The execution role lacks a permission the task needs to start',
      'too-broad': 'The execution role grants more than the task needs',
      excess: 'The execution role grants a permission no task needs',
      conditional: 'A permission the task needs is granted only under conditions',
      unresolved: 'A value of the task definition is unknown until the pipeline substitutes it',
    };
    for (const f of r.findings) {
      add(f.kind, DESCRIPTION[f.kind] ?? f.kind, r.blocking.includes(f) ? 'error' : 'warning', findingMessage(f), f.requiredBy);
    }
    for (const l of incompleteEntries(r.intent))
      add('unresolved', DESCRIPTION.unresolved!, 'note', `${l.kind} ${l.resource}`, l.reasons.slice(0, 1));
    const log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'leash', version: version(), rules: [...rules.values()] } },
          results,
        },
      ],
    };
    return JSON.stringify(log, null, 2) + '\n';
  };

  return { text, json, github, sarif };
}
