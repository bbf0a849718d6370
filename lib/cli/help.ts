// What `leash --help` and `leash <command> --help` print: one description per command and option, the exit codes,
// and an example each. The usage line of every command comes from here too, so help and errors never disagree.
import { wrap } from './format.js';

export interface CommandHelp {
  name: string;
  summary: string;
  usage: string;
  /** [flag, description] */
  options: [string, string][];
  exit: [number, string][];
  examples: string[];
  notes?: string[];
}

const INTENT_OPTIONS: [string, string][] = [
  ['--account ID', "the execution role's 12-digit account, used only where the files leave it unknown (never over a placeholder)"],
  ['--region REGION', "the task's Region (e.g. eu-west-1), used only where the files leave it unknown (never over a placeholder)"],
  ['--pull-through-prefix P', 'an ECR pull-through cache repository prefix (repeatable): its images also need import and create'],
  [
    '--extra-image URI',
    'an image the role pulls that no task definition shows, such as the GuardDuty Runtime Monitoring sidecar (repeatable)',
  ],
];
const GRANT_OPTIONS: [string, string][] = [
  ['--trust-policy FILE', "the role's trust policy: aws iam get-role output (its Role.Arn names the role) or the document itself"],
  ['--boundary FILE', "the role's permissions boundary policy"],
  [
    '--kms-key RESOURCE=KEY_ARN',
    'the KMS key behind a secret or parameter (repeatable; KEY_ARN may be aws-managed), as Unresolved lists them',
  ],
];
const OUTPUT = ['--json', 'print the JSON contract documented in the README instead of text'];
const HELP = ['-h, --help', 'show this help'];
const FAIL_ON = [
  '--fail-on LIST',
  'exit 1 when a finding matches: a severity (urgent, review, info: that severity or worse), a kind (missing, too-broad, excess, conditional, …) or never; comma-separated (default urgent)',
] as [string, string];

export const COMMANDS: CommandHelp[] = [
  {
    name: 'plan',
    summary: 'the least-privilege policy for one execution role shared by every task definition given',
    usage: 'leash plan [--account ID] [--region REGION] [--pull-through-prefix P]... [--extra-image URI]... [--json] FILE...',
    options: [...INTENT_OPTIONS, OUTPUT as [string, string], HELP as [string, string]],
    exit: [
      [0, 'complete: everything the task definitions need is in the policy'],
      [3, 'incomplete: something is unresolved (a placeholder, an unknown account or Region); the policy is a template or partial'],
      [2, 'bad input (the message names the file and the JSON path)'],
    ],
    notes: [
      'A placeholder that fills one slot of an ARN (${AWS::Region}, {{region}}, ACCOUNT_ID, $$$BUCKET$$$ …) stays in the policy as written, so the substitution that fills the task definition fills the policy too; apply the policy only after it. KMS keys behind secrets are listed but never make a plan incomplete: a task definition never names them (leash check looks them up).',
    ],
    examples: ['leash plan task-definition.json', 'leash plan --region eu-west-1 --json web.json worker.json > plan.json'],
  },
  {
    name: 'diff',
    summary: "the role's current policies held against what its task definitions need",
    usage:
      'leash diff --policy POLICY.json... [--trust-policy FILE] [--boundary POLICY.json] [--kms-key RESOURCE=KEY_ARN]... [--fail-on LIST] [--account ID] [--region REGION] [--json] FILE...',
    options: [
      [
        '--policy FILE',
        "one of the role's policies: a document, get-role-policy / get-policy-version output, or a list (repeatable, required)",
      ],
      ...GRANT_OPTIONS,
      FAIL_ON,
      ...INTENT_OPTIONS,
      OUTPUT as [string, string],
      HELP as [string, string],
    ],
    exit: [
      [0, 'no finding matches --fail-on'],
      [1, 'findings match --fail-on (by default: something urgent, such as access the task needs and lacks)'],
      [2, 'bad input'],
    ],
    examples: [
      'leash diff --policy role-policy.json task-definition.json',
      'leash diff --fail-on review --policy a.json --policy b.json td.json',
    ],
  },
  {
    name: 'audit',
    summary: 'as diff, with CloudTrail evidence (denials, recent use) folded into the findings',
    usage:
      'leash audit --cloudtrail FILE... [--policy POLICY.json...] [--trust-policy FILE] [--boundary POLICY.json] [--kms-key RESOURCE=KEY_ARN]... [--cloudtrail-since ISO] [--recent-days N] [--fail-on LIST] [options] TASKDEF...',
    options: [
      [
        '--cloudtrail FILE',
        'CloudTrail records: {"Records": [...]}, a JSON array, JSON lines or lookup-events output (repeatable, required)',
      ],
      ['--policy FILE', "one of the role's policies (repeatable)"],
      ...GRANT_OPTIONS,
      [
        '--cloudtrail-since ISO',
        'the files hold every call of the role since this time (as after a backfill): unused access is then confirmed unused',
      ],
      ['--recent-days N', 'days within which a use counts as recent (default 90)'],
      FAIL_ON,
      ...INTENT_OPTIONS,
      OUTPUT as [string, string],
      HELP as [string, string],
    ],
    exit: [
      [0, 'no finding matches --fail-on'],
      [1, 'findings match --fail-on (default urgent: missing access or a denial)'],
      [2, 'bad input'],
    ],
    examples: ['leash audit --cloudtrail trail.json --policy role-policy.json task-definition.json'],
  },
  {
    name: 'check',
    summary: 'the pre-deploy gate: will this task definition start with the role it names?',
    usage:
      'leash check [--role ROLE] [--policy POLICY.json...] [--var KEY=VALUE]... [--fail-on LIST] [--format text|json|github|sarif] [--sarif FILE] [options] TASKDEF...',
    options: [
      ['--role ROLE', 'the execution role (ARN or name); default: the executionRoleArn of the task definition'],
      ['--policy FILE', 'check against these policy files instead of reading the role from IAM (offline; repeatable)'],
      [
        '--var KEY=VALUE',
        'fill a template placeholder before checking: ${KEY}, {{KEY}}, $$$KEY$$$, <KEY>, #{KEY} and the bare word KEY when written in capitals (repeatable)',
      ],
      ['--fail-on LIST', 'besides missing access (always blocking): too-broad, excess, conditional, review or info (comma-separated)'],
      ['--format F', 'text (default), json, github (workflow annotations ::error file=…), sarif (code scanning)'],
      ['--sarif FILE', 'also write the result as SARIF 2.1.0 to FILE (for github/codeql-action/upload-sarif)'],
      [
        '--no-kms',
        'do not look up the KMS keys behind secrets (they need secretsmanager:DescribeSecret, ssm:DescribeParameters, kms:DescribeKey)',
      ],
      ...INTENT_OPTIONS,
      HELP as [string, string],
    ],
    exit: [
      [0, 'the task will start: the role grants everything it needs'],
      [1, 'blocked: access is missing (the statements to add are printed) or a --fail-on finding matched'],
      [2, 'bad input, or AWS could not be read (the message says what to set)'],
      [3, 'cannot tell: placeholders or unknown values remain (fill them with --var)'],
    ],
    notes: [
      'Without --policy, the role is read live from IAM with the standard AWS environment (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION; AWS_ENDPOINT_URL for an emulator). The caller needs iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy and iam:GetPolicyVersion.',
    ],
    examples: [
      'leash check task-definition.json',
      'leash check --var IMAGE_TAG=1.4.2 --var AWS_ACCOUNT_ID=123456789012 --format github .aws/task-definition.json',
      'leash check --policy role-policy.json --fail-on too-broad task-definition.json',
    ],
  },
  {
    name: 'rollback',
    summary: "restores a role's stored policy state (Leash's table and IAM, from a terminal)",
    usage: 'leash rollback ROLE_ARN [--to STATE_ID] [--yes] [--reason TEXT]',
    options: [
      ['--to STATE_ID', 'the stored state to restore (see leash history); default the latest'],
      ['--yes', 'apply; without it, only show what would change'],
      ['--reason TEXT', 'why, for the audit log'],
      HELP as [string, string],
    ],
    exit: [
      [0, 'shown or restored'],
      [2, 'bad input, or AWS could not be read (the message says what to set)'],
    ],
    notes: [
      'Needs LEASH_TABLE (the deployed table) and AWS credentials in the standard environment (AWS_PROFILE or access keys, AWS_REGION).',
    ],
    examples: [
      'LEASH_TABLE=leash-prod leash rollback arn:aws:iam::123456789012:role/web-exec',
      'leash rollback arn:aws:iam::123456789012:role/web-exec --to 2024-05-01T10:00:00.000Z#ab12 --yes',
    ],
  },
  {
    name: 'history',
    summary: 'every decision and change for a role, its stored states and its finding sets',
    usage: 'leash history ROLE_ARN [--limit N] [--json]',
    options: [['--limit N', 'how many entries of each kind (default 50)'], OUTPUT as [string, string], HELP as [string, string]],
    exit: [
      [0, 'shown'],
      [2, 'bad input, or AWS could not be read (the message says what to set)'],
    ],
    notes: ['Needs LEASH_TABLE and AWS credentials in the standard environment.'],
    examples: ['LEASH_TABLE=leash-prod leash history arn:aws:iam::123456789012:role/web-exec --limit 10'],
  },
  {
    name: 'redrive',
    summary: "sends the messages in the stack's dead-letter queues back through the function that failed them",
    usage: 'leash redrive (--queue QUEUE... | --all --stack NAME) [--stack NAME] [--function NAME] [--max N] [--yes] [--json]',
    options: [
      [
        '--queue QUEUE',
        'a DLQ of the stack, as URL, name or ARN: <stack>-events-dlq (failed events and async invocations) or <stack>-remediation-dlq (remediation messages) (repeatable)',
      ],
      ['--all', 'both DLQs of the stack --stack names'],
      ['--stack NAME', "the stack's name, e.g. leash-prod (default: read from the queue's name)"],
      ['--function NAME', 'only messages for this function (iam-change or leash-prod-iam-change); the others stay in the queue'],
      ['--max N', 'messages to look at per queue, at most (default 100)'],
      [
        '--yes',
        'act: invoke each function and delete what succeeded (without it: say where each message would go, invoke and delete nothing)',
      ],
      OUTPUT as [string, string],
      HELP as [string, string],
    ],
    exit: [
      [0, 'every message looked at was redriven (without --yes: would be), or the queues were empty'],
      [1, 'some messages failed again, or name no function of the stack: they stay in the queue'],
      [2, 'bad input, or AWS could not be read (the message says what to set)'],
    ],
    notes: [
      "Each message goes through its function with lambda:InvokeFunction, synchronously: the function runs as deployed, with its own role, settings and secrets, and the message is deleted only when the function succeeded. A message naming a function that is not one of the stack's, or another account or Region, is never run: it stays for a person. Remediation messages go to <stack>-remediate as the SQS event Lambda builds.",
      "Needs AWS credentials in the standard environment (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION) allowed sqs:GetQueueUrl, sqs:GetQueueAttributes, sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility and lambda:InvokeFunction on the stack's functions.",
    ],
    examples: [
      'leash redrive --all --stack leash-prod',
      'leash redrive --all --stack leash-prod --yes',
      'leash redrive --queue leash-prod-events-dlq --function iam-change',
      'leash redrive --queue https://sqs.eu-west-1.amazonaws.com/123456789012/leash-prod-remediation-dlq --max 10',
    ],
  },
];

export function commandHelp(name: string): CommandHelp | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function usageOf(name: string): string {
  return `usage: ${commandHelp(name)?.usage ?? `leash ${name}`}`;
}

function optionLines(options: [string, string][], width: number): string[] {
  const col = Math.max(...options.map(([f]) => f.length)) + 4;
  return options.flatMap(([flag, text]) => wrap(text, width, ' '.repeat(col), `  ${flag.padEnd(col - 2)}`));
}

export function commandHelpText(h: CommandHelp, width = 100): string {
  const lines = [
    ...wrap(`leash ${h.name}: ${h.summary}`, width, '  ', ''),
    '',
    ...wrap(`usage: ${h.usage}`, width, '         ', ''),
    '',
    'options:',
    ...optionLines(h.options, width),
  ];
  for (const note of h.notes ?? []) lines.push('', ...wrap(note, width));
  lines.push('', 'exit codes:', ...h.exit.flatMap(([code, text]) => wrap(text, width, '     ', `  ${code}  `)));
  lines.push('', h.examples.length > 1 ? 'examples:' : 'example:', ...h.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

export function mainHelpText(version: string, width = 100): string {
  const col = Math.max(...COMMANDS.map((c) => c.name.length)) + 4;
  return (
    [
      `leash ${version}: keeps ECS task execution roles at least privilege`,
      '',
      'usage: leash COMMAND [options] | leash COMMAND --help | leash --version',
      '',
      'commands:',
      ...COMMANDS.flatMap((c) => [
        ...wrap(c.summary, width, ' '.repeat(col), `  ${c.name.padEnd(col - 2)}`),
        ...wrap(`usage: ${c.usage}`, width, ' '.repeat(col + 7), ' '.repeat(col)),
      ]),
      '',
      'Every command reads local files except check (IAM, unless --policy), rollback and history (the deployed table)',
      "and redrive (the stack's DLQs and functions).",
      'Exit codes: 0 success, 1 findings, a blocked check or messages left in a DLQ, 2 bad input, 3 an incomplete plan or check.',
      '',
      'examples:',
      '  leash plan task-definition.json',
      '  leash check --var IMAGE_TAG=1.4.2 .aws/task-definition.json',
      '  leash check --help',
    ].join('\n') + '\n'
  );
}
