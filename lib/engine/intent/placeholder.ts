// Template placeholders in task-definition values. Most task definitions kept in repositories are templates that a
// pipeline fills in (`${tag}`, `{{region}}`, `$$$BUCKET$$$`, `#{AccountId}`, `<AWS_REGION>`, `ACCOUNT_ID`). A value is
// parsed with every delimited placeholder masked by an inert sentinel, so a placeholder that contains `:`, `/` or
// `.` (`${AWS::Region}`, `{{ .Env.REGION }}`) cannot break the structure of the ARN, host or path around it; the
// sentinels are turned back into the original text when a resource is built. The same text then sits in the policy,
// so the substitution that fills the task definition fills the policy too.

/** A placeholder as written, and the variable name it refers to (what `leash check --var NAME=VALUE` fills). */
export interface Placeholder {
  text: string;
  name: string;
}

// The syntaxes found in public task-definition templates, longest first so `${{ x }}` wins over `${x}` and
// `$$$X$$$` over `$X`: GitHub expressions, shell/CloudFormation/Terraform `${X}` (also `${AWS::Region}`),
// Go/Mustache/ecspresso `{{x}}` (also `{{must_env `X`}}`), the ECS agent's `$$$X$$$`, Octopus/serverless
// `#{X}` (and Azure's `#{X}#`), documentation's `<X>`, Windows `%X%` and envsubst's `$X`.
const DELIMITED = new RegExp(
  [
    String.raw`\$\{\{[^}]*\}\}`,
    String.raw`\$\{[^{}]*\}`,
    String.raw`\{\{[^{}]*\}\}`,
    String.raw`\${2,}[A-Za-z0-9_]+\${2,}`,
    String.raw`#\{[^{}]*\}#?`,
    String.raw`<[A-Za-z][A-Za-z0-9_.-]*>`,
    String.raw`%[A-Za-z_][A-Za-z0-9_]*%`,
    String.raw`\$[A-Za-z_][A-Za-z0-9_]*`,
  ].join('|'),
  'g',
);

/** The variable a placeholder names: `${AWS::Region}` → `AWS::Region`, ``{{must_env `X`}}`` → `X`. */
export function placeholderName(text: string): string {
  let inner = text;
  if (text.startsWith('${{')) inner = text.slice(3, -2);
  else if (text.startsWith('${') || text.startsWith('#{')) inner = text.slice(2, text.endsWith('}#') ? -2 : -1);
  else if (text.startsWith('{{')) inner = text.slice(2, -2);
  else if (text.startsWith('$$')) inner = text.replace(/^\$+|\$+$/g, '');
  else if (text.startsWith('<') || text.startsWith('%')) inner = text.slice(1, -1);
  else if (text.startsWith('$')) inner = text.slice(1);
  inner = inner.trim();
  const env = /^(?:must_env|env)\s+[`"']([^`"']*)[`"']$/.exec(inner);
  if (env) return env[1] as string;
  return inner.replace(/^\./, '');
}

/** Every delimited placeholder in `value`, in order. */
export function findPlaceholders(value: string): Placeholder[] {
  return [...value.matchAll(DELIMITED)].map((m) => ({ text: m[0], name: placeholderName(m[0]) }));
}

export function hasPlaceholder(value: string): boolean {
  DELIMITED.lastIndex = 0;
  const found = DELIMITED.test(value);
  DELIMITED.lastIndex = 0;
  return found;
}

/** Any C0 control character or DEL. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const OPEN = '\uE000';
const CLOSE = '\uE001';
const SENTINEL = /\uE000(\d+)\uE001/g;

/**
 * A value with its placeholders masked. `text` holds one sentinel per placeholder; `restore` turns any part of it
 * back into the original text; `tokensIn` names the placeholders inside a part. Values that already contain the
 * sentinel characters (nothing could tell them apart) or control characters are refused (`of` returns undefined).
 */
export class Masked {
  private constructor(
    readonly text: string,
    private readonly tokens: string[],
  ) {}

  static of(value: string): Masked | undefined {
    // Control characters belong in no ARN, name or image reference (and would end a line of CI output).
    if (value.includes(OPEN) || value.includes(CLOSE) || hasControl(value)) return undefined;
    const tokens: string[] = [];
    const text = value.replace(DELIMITED, (m) => `${OPEN}${tokens.push(m) - 1}${CLOSE}`);
    return new Masked(text, tokens);
  }

  /** Masks more text as one placeholder (a bare token such as `REPOSITORY_URI` found by its position). */
  maskBare(part: string): string {
    return `${OPEN}${this.tokens.push(part) - 1}${CLOSE}`;
  }

  restore(part: string): string {
    return part.replace(SENTINEL, (_m, i: string) => this.tokens[Number(i)] as string);
  }

  tokensIn(part: string): string[] {
    return [...part.matchAll(SENTINEL)].map((m) => this.tokens[Number(m[1])] as string);
  }

  get isTemplate(): boolean {
    return this.tokens.length > 0;
  }
}

export function hasSentinel(part: string): boolean {
  return part.includes(OPEN);
}

/** The part is nothing but placeholders (`${IMAGE}`, `{{a}}{{b}}`). */
export function onlySentinels(part: string): boolean {
  return part !== '' && part.replace(SENTINEL, '') === '';
}

/** The part starts with a placeholder: its kind (ARN, name, host) is decided by the substitution. */
export function startsWithSentinel(part: string): boolean {
  return part.startsWith(OPEN);
}

/** The part ends with a placeholder (e.g. a secret name `${SecretId}` that may or may not carry the suffix). */
export function endsWithSentinel(part: string): boolean {
  return part.endsWith(CLOSE);
}

/** For syntax checks only: every sentinel stands for one ordinary character that the check accepts. */
export function neutral(part: string, stand = 'x'): string {
  return part.replace(SENTINEL, stand);
}

/** IAM reads `*` and `?` as wildcards anywhere in a Resource: text taken from a task definition must hold none. */
export function hasIamWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}
