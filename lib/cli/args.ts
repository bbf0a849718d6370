// Shared option parsing for the CLI commands (node:util parseArgs, strict: unknown flags are errors).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.js';
import type { IntentOptions } from '../engine/intent/index.js';
import type { Finding, FindingKind, Severity } from '../engine/types.js';

export const intentOptionSpec = {
  account: { type: 'string' },
  region: { type: 'string' },
  'pull-through-prefix': { type: 'string', multiple: true },
  'extra-image': { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const failOnSpec = { 'fail-on': { type: 'string', multiple: true } } as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError((err as Error).message, 'command line', '$', { cause: err });
  }
}

export function intentOptions(values: {
  account?: string;
  region?: string;
  'pull-through-prefix'?: string[];
  'extra-image'?: string[];
}): IntentOptions {
  if (values.account !== undefined && !/^\d{12}$/.test(values.account)) {
    throw new InputError(`--account must be a 12-digit AWS account ID, got "${values.account}"`, 'command line', '--account');
  }
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) {
    throw new InputError(`--region must be an AWS Region such as eu-west-1, got "${values.region}"`, 'command line', '--region');
  }
  return {
    ...(values.account !== undefined && { account: values.account }),
    ...(values.region !== undefined && { region: values.region }),
    pullThroughPrefixes: values['pull-through-prefix'] ?? [],
    // Images no task definition shows but the role must pull (e.g. the GuardDuty Runtime Monitoring sidecar).
    extraImages: values['extra-image'] ?? [],
  };
}

// --- --fail-on: which findings make the command exit 1 ---

const SEVERITY_RANK: Record<Severity, number> = { info: 0, review: 1, urgent: 2 };
const KINDS: readonly FindingKind[] = [
  'missing',
  'denied',
  'unexplained-denial',
  'excess',
  'excess-in-use',
  'too-broad',
  'conditional',
  'trust-policy',
];

export interface FailOn {
  /** Findings of this severity or worse block; undefined: no severity blocks. */
  severity?: Severity;
  kinds: Set<FindingKind>;
}

/** `urgent`, `review,too-broad`, `never`; repeated flags add up. Unknown words are bad input. */
export function parseFailOn(values: string[] | undefined, fallback = 'urgent'): FailOn {
  const words = (values?.length ? values : [fallback])
    .flatMap((v) => v.split(','))
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const out: FailOn = { kinds: new Set() };
  for (const w of words) {
    if (w === 'never' || w === 'none') continue;
    if (w in SEVERITY_RANK) {
      const s = w as Severity;
      if (out.severity === undefined || SEVERITY_RANK[s] < SEVERITY_RANK[out.severity]) out.severity = s;
    } else if ((KINDS as readonly string[]).includes(w)) out.kinds.add(w as FindingKind);
    else {
      throw new InputError(
        `--fail-on takes urgent, review, info, never or a finding kind (${KINDS.join(', ')}), got "${w}"`,
        'command line',
        '--fail-on',
      );
    }
  }
  return out;
}

export function blocks(f: Finding, failOn: FailOn): boolean {
  if (failOn.kinds.has(f.kind)) return true;
  return failOn.severity !== undefined && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn.severity];
}
