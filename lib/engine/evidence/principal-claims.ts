// Principals that free text (stop reasons, error messages) claims, and whether each claim is the role Leash
// authenticated from facts. The text is never the source of the role: it can only agree with it or be untrusted.
import { parseRoleArn } from './record-fields.js';

/** Code points that render as nothing (zero-width, bidi controls, soft hyphen, fillers, variation selectors, BOM). */
const INVISIBLE_RANGES: readonly [number, number][] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

export function isInvisible(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return INVISIBLE_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/** Any ARN of IAM or STS (a principal), whatever follows; case-insensitive so `ARN:AWS:STS` is caught too. */
const PRINCIPAL_ARN = /arn:[^:\s]*:(?:iam|sts):[^\s"'<>,;()[\]{}]*/giu;
/** The principal slot of IAM's message ("User: X is not authorized"), whatever X is. */
const USER_SLOT = /\bUser\s*:\s*(\S+)/giu;

/** The form used only to find claims: compatibility-folded (fullwidth → ASCII), invisible characters removed. */
export function skeleton(text: string): string {
  return [...text.normalize('NFKC')].filter((ch) => !isInvisible(ch)).join('');
}

function scan(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PRINCIPAL_ARN)) out.add(m[0].replace(/[.…]+$/u, ''));
  for (const m of text.matchAll(USER_SLOT)) out.add(m[1]!.replace(/[.…]+$/u, ''));
  return [...out];
}

/**
 * Every principal the text names. Claims found only after folding look-alikes (fullwidth letters, zero-width
 * characters) are returned in their folded form and make `disguised` true: AWS never writes such text.
 */
export function principalClaims(text: string): { claims: string[]; disguised: boolean } {
  const raw = scan(text);
  const folded = scan(skeleton(text));
  const disguised = folded.some((c) => !raw.includes(c)) || raw.some((c) => /[^\x21-\x7e]/.test(c));
  return { claims: [...new Set([...raw, ...folded])].sort(), disguised };
}

/**
 * Is `claim` the role `roleArn`? Exactly its ARN, or an assumed-role session of it (same partition, account and
 * name; an assumed-role ARN drops the path). Case and every character count: IAM writes these strings itself.
 * A claim cut by truncation (`…/assumed-role/app-ex`) agrees only when it is a prefix of the session ARN and
 * `cut` says the text was truncated at the end.
 */
export function claimIsRole(claim: string, roleArn: string, cut = false): boolean {
  const role = parseRoleArn(roleArn);
  if (!role) return false;
  if (claim === role.roleArn) return true;
  const session = `arn:${role.partition}:sts::${role.account}:assumed-role/${role.roleName}/`;
  if (claim.startsWith(session)) {
    const id = claim.slice(session.length);
    return id.length > 0 && /^[\w+=,.@-]+$/.test(id);
  }
  return cut && claim.length > `arn:${role.partition}:sts::`.length && session.startsWith(claim);
}

const MAX_INERT = 2000;

/**
 * Free text made safe to store and show: control, bidi and zero-width characters become `\u{..}` escapes, URL
 * schemes are defanged (`https[:]//`), and the text is capped. The result is for people to read, never to parse.
 */
export function inertText(text: string, max = MAX_INERT): string {
  const escaped = [...text]
    .map((ch) => {
      const cp = ch.codePointAt(0)!;
      if (ch === '\n' || ch === '\t') return ' ';
      if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || isInvisible(ch)) return `\\u{${cp.toString(16)}}`;
      return ch;
    })
    .join('')
    .replace(/([a-z][a-z0-9+.-]*):\/\//giu, '$1[:]//');
  return escaped.length > max ? `${escaped.slice(0, max)}… (${escaped.length - max} more characters)` : escaped;
}
