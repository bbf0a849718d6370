// Policy documents as IAM hands them back: objects, JSON strings, or URL-encoded JSON strings (the IAM API
// returns RFC 3986-encoded documents and SDK v3 does not decode them, spec §11.13). Parsing validates the
// shape IAM would accept for an identity policy and reports problems with a JSON path.
import { PolicyError } from '../../errors.js';
import type { NamedPolicy, PolicyDocument, PolicyKind, PolicyStatement } from '../types.js';

export interface ParseOptions {
  /** `trust` (and other resource-based) policies have no Resource element; identity policies must. */
  kind?: 'identity' | 'trust';
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
  'Principal',
  'NotPrincipal',
]);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON text, or URL-encoded JSON text, to a value. */
function decodeJson(text: string, source: string, path: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('%')) {
    try {
      return JSON.parse(trimmed);
    } catch (err) {
      if (!/%[0-9A-Fa-f]{2}/.test(trimmed)) throw new PolicyError('not valid JSON', source, path, { cause: err });
    }
  }
  try {
    return JSON.parse(decodeURIComponent(trimmed));
  } catch (err) {
    throw new PolicyError('neither JSON nor URL-encoded JSON', source, path, { cause: err });
  }
}

function stringList(v: unknown, source: string, path: string, check?: (s: string, p: string) => void): void {
  const items = Array.isArray(v) ? v : [v];
  if (Array.isArray(v) && v.length === 0) throw new PolicyError('must not be an empty list', source, path);
  items.forEach((item, i) => {
    const p = Array.isArray(v) ? `${path}[${i}]` : path;
    if (typeof item !== 'string' || item === '') throw new PolicyError('must be a non-empty string or a list of them', source, p);
    check?.(item, p);
  });
}

function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A string, number or boolean, or a flat list of them: the only shapes a condition value or principal takes. */
function checkScalars(v: unknown, source: string, path: string): void {
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
  if (scalar(v)) return;
  if (!Array.isArray(v)) throw new PolicyError('must be a string, number or boolean, or a list of them', source, path);
  v.forEach((x, i) => {
    if (!scalar(x)) throw new PolicyError('must be a string, number or boolean (lists do not nest)', source, `${path}[${i}]`);
  });
}

function checkAction(source: string) {
  return (a: string, p: string): void => {
    if (a !== '*' && !/^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+$/.test(a)) {
      throw new PolicyError(`"${a}" is not an action ("service:Action" or "*")`, source, p);
    }
  };
}

function parseStatement(raw: unknown, source: string, path: string, opts: ParseOptions): PolicyStatement {
  if (!isObject(raw)) throw new PolicyError('statement must be an object', source, path);
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) throw new PolicyError(`unknown statement element "${key}"`, source, `${path}.${key}`);
  }
  const { Sid, Effect, Action, NotAction, Resource, NotResource, Condition } = raw;
  if (Sid !== undefined && typeof Sid !== 'string') throw new PolicyError('Sid must be a string', source, `${path}.Sid`);
  if (Effect !== 'Allow' && Effect !== 'Deny') throw new PolicyError('Effect must be "Allow" or "Deny"', source, `${path}.Effect`);
  if ((Action === undefined) === (NotAction === undefined)) {
    throw new PolicyError(
      'exactly one of Action and NotAction is required',
      source,
      `${path}.${Action === undefined ? 'Action' : 'NotAction'}`,
    );
  }
  if (Action !== undefined) stringList(Action, source, `${path}.Action`, checkAction(source));
  if (NotAction !== undefined) stringList(NotAction, source, `${path}.NotAction`, checkAction(source));
  const identity = (opts.kind ?? 'identity') === 'identity';
  if (Resource !== undefined && NotResource !== undefined) {
    throw new PolicyError('only one of Resource and NotResource is allowed', source, `${path}.NotResource`);
  }
  if (identity && Resource === undefined && NotResource === undefined) {
    throw new PolicyError('exactly one of Resource and NotResource is required', source, `${path}.Resource`);
  }
  if (identity && (raw.Principal !== undefined || raw.NotPrincipal !== undefined)) {
    throw new PolicyError(
      'an identity policy cannot name a Principal',
      source,
      `${path}.${raw.Principal !== undefined ? 'Principal' : 'NotPrincipal'}`,
    );
  }
  if (Resource !== undefined) stringList(Resource, source, `${path}.Resource`);
  if (NotResource !== undefined) stringList(NotResource, source, `${path}.NotResource`);
  if (Condition !== undefined) {
    if (!isObject(Condition)) throw new PolicyError('Condition must be an object', source, `${path}.Condition`);
    for (const [op, block] of Object.entries(Condition)) {
      if (!isObject(block)) throw new PolicyError('condition operator must map to an object', source, `${path}.Condition.${op}`);
      // IAM takes a value or a list of values per key; anything nested deeper is refused here, before copying it.
      for (const [key, v] of Object.entries(block)) checkScalars(v, source, `${path}.Condition.${op}${member(key)}`);
    }
  }
  for (const key of ['Principal', 'NotPrincipal'] as const) {
    const p = raw[key];
    if (p === undefined || typeof p === 'string') continue;
    if (!isObject(p)) throw new PolicyError(`${key} must be "*" or an object`, source, `${path}.${key}`);
    for (const [k, v] of Object.entries(p)) checkScalars(v, source, `${path}.${key}${member(k)}`);
  }
  // Copy only known elements, in a fixed order, so the result never aliases the input.
  const out: PolicyStatement = { Effect };
  if (Sid !== undefined) out.Sid = Sid;
  const copy = (v: unknown): string | string[] => (Array.isArray(v) ? [...(v as string[])] : (v as string));
  if (Action !== undefined) out.Action = copy(Action);
  if (NotAction !== undefined) out.NotAction = copy(NotAction);
  if (Resource !== undefined) out.Resource = copy(Resource);
  if (NotResource !== undefined) out.NotResource = copy(NotResource);
  if (Condition !== undefined) out.Condition = structuredClone(Condition) as PolicyStatement['Condition'];
  if (raw.Principal !== undefined) out.Principal = structuredClone(raw.Principal);
  if (raw.NotPrincipal !== undefined) out.NotPrincipal = structuredClone(raw.NotPrincipal);
  return out;
}

/** Internal form with a base JSON path, so documents nested in CLI output report full paths. */
export function parseDocumentAt(raw: unknown, source: string, path: string, opts: ParseOptions = {}): PolicyDocument {
  const value = typeof raw === 'string' ? decodeJson(raw, source, path) : raw;
  if (!isObject(value)) throw new PolicyError('policy document must be an object', source, path);
  const { Version, Id, Statement } = value;
  if (Version !== undefined && (typeof Version !== 'string' || !VERSIONS.has(Version))) {
    throw new PolicyError('Version must be "2012-10-17" or "2008-10-17"', source, `${path}.Version`);
  }
  if (Id !== undefined && typeof Id !== 'string') throw new PolicyError('Id must be a string', source, `${path}.Id`);
  if (Statement === undefined) throw new PolicyError('Statement is required', source, `${path}.Statement`);
  const list = Array.isArray(Statement) ? Statement : [Statement];
  const statements = list.map((s, i) =>
    parseStatement(s, source, Array.isArray(Statement) ? `${path}.Statement[${i}]` : `${path}.Statement`, opts),
  );
  // Key order Version, Id, Statement: serialisations (and hashes of them) stay stable.
  return {
    ...(Version !== undefined ? { Version: Version as string } : {}),
    ...(Id !== undefined ? { Id: Id as string } : {}),
    Statement: statements,
  };
}

/** Parses one policy document (object, JSON, or URL-encoded JSON); `Statement` always comes back as a list. */
export function parsePolicyDocument(raw: unknown, source: string, opts: ParseOptions = {}): PolicyDocument {
  return parseDocumentAt(raw, source, '$', opts);
}

/** `aws-managed` for `arn:<partition>:iam::aws:policy/...`, `managed` for other policy ARNs. */
export function policyKindFromArn(arn: string | undefined): PolicyKind {
  if (!arn) return 'inline';
  if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) return 'aws-managed';
  return /^arn:aws[a-z-]*:iam::\d{12}:policy\//.test(arn) ? 'managed' : 'inline';
}

function nameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** File name without directory and extensions: `/x/AmazonECSTaskExecutionRolePolicy.MAMIP.json` → first part. */
function nameFromSource(source: string, index: number | undefined): string {
  const base = source.slice(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
  const stem = base.split('.')[0] || base || 'policy';
  return index === undefined ? stem : `${stem}#${index}`;
}

function named(doc: PolicyDocument, name: string, arn: string | undefined, explicitKind?: PolicyKind): NamedPolicy {
  const kind = explicitKind ?? policyKindFromArn(arn);
  return arn ? { name, kind, arn, document: doc } : { name, kind, document: doc };
}

function recognize(value: unknown, source: string, path: string, index: number | undefined): NamedPolicy {
  if (!isObject(value)) throw new PolicyError('expected a policy document or a policy record', source, path);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  // aws iam get-policy-version: {PolicyVersion: {Document, VersionId, ...}}
  if (isObject(value.PolicyVersion)) {
    const doc = parseDocumentAt(value.PolicyVersion.Document, source, `${path}.PolicyVersion.Document`);
    const arn = str(value.PolicyArn) ?? str(value.Arn);
    return named(doc, arn ? nameFromArn(arn) : nameFromSource(source, index), arn, arn ? undefined : 'managed');
  }
  // aws iam get-role-policy, {PolicyName, PolicyDocument} items, optionally with an ARN for managed ones.
  if ('PolicyDocument' in value) {
    const doc = parseDocumentAt(value.PolicyDocument, source, `${path}.PolicyDocument`);
    const arn = str(value.PolicyArn) ?? str(value.Arn);
    const name = str(value.PolicyName) ?? (arn ? nameFromArn(arn) : nameFromSource(source, index));
    return named(doc, name, arn);
  }
  // iann0036/iam-dataset record: {name, arn, document, version, ...}
  if ('document' in value && !('Statement' in value)) {
    const doc = parseDocumentAt(value.document, source, `${path}.document`);
    const arn = str(value.arn);
    const name = str(value.name) ?? (arn ? nameFromArn(arn) : nameFromSource(source, index));
    return named(doc, name, arn);
  }
  if ('Statement' in value) return named(parseDocumentAt(value, source, path), nameFromSource(source, index), undefined, 'inline');
  throw new PolicyError('not a recognised policy shape (document, get-role-policy, get-policy-version, iam-dataset)', source, path);
}

/**
 * Reads a policy file in any of the shapes people have on disk: a bare document, an array of documents,
 * `aws iam get-role-policy` / `get-policy-version` output, an iam-dataset record, `{PolicyName,
 * PolicyDocument}` items, or an array of any of these. Names come from the record or the file name.
 */
export function parsePolicyFile(text: string, source: string): NamedPolicy[] {
  const value = decodeJson(text, source, '$');
  if (Array.isArray(value)) return value.map((v, i) => recognize(v, source, `$[${i}]`, i));
  return [recognize(value, source, '$', undefined)];
}
