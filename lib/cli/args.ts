// Shared option parsing for the CLI commands (node:util parseArgs, strict: unknown flags are errors).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.js';
import type { IntentOptions } from '../engine/intent/index.js';

export const intentOptionSpec = {
  account: { type: 'string' },
  region: { type: 'string' },
  'pull-through-prefix': { type: 'string', multiple: true },
  'extra-image': { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

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
    account: values.account,
    region: values.region,
    pullThroughPrefixes: values['pull-through-prefix'] ?? [],
    // Images no task definition shows but the role must pull (e.g. the GuardDuty Runtime Monitoring sidecar).
    extraImages: values['extra-image'] ?? [],
  };
}
