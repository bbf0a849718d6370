// The fixed-format slots of an ARN or host (partition, Region, account). A slot holds a real value, or a placeholder
// kept as written: delimited (`${AWS::Region}`, `{{region}}`) or bare, recognised because it cannot be what the slot
// requires (`ACCOUNT_ID`, `XXXXXXXXXXXX`, `aws_account_id`, `region`).
import { buildArn, isAccountId, isPartition, isRegion } from '../arn.js';
import { hasIamWildcard, hasSentinel, type Masked } from './placeholder.js';

export interface Slot {
  /** As written (placeholders restored). */
  value: string;
  real: boolean;
  /** The placeholders inside the slot (the whole value for a bare one). */
  placeholders: string[];
}

export type SlotKind = 'account' | 'region' | 'partition';

export const realSlot = (value: string): Slot => ({ value, real: true, placeholders: [] });

const REAL: Record<SlotKind, (v: string) => boolean> = { account: isAccountId, region: isRegion, partition: isPartition };

/** `undefined` for an empty slot, `'invalid'` for text that is neither a real value nor a placeholder. */
export function slotOf(masked: Masked, part: string, kind: SlotKind): Slot | 'invalid' | undefined {
  if (part === '') return undefined;
  if (hasSentinel(part)) return { value: masked.restore(part), real: false, placeholders: masked.tokensIn(part) };
  if (REAL[kind](part)) return realSlot(part);
  if (hasIamWildcard(part) || !/^[A-Za-z0-9_-]+$/.test(part)) return 'invalid';
  return { value: part, real: false, placeholders: [part] };
}

/** A slot read from a plain string (an option or an ARN field), no masking needed beyond the delimited syntaxes. */
export function slotFromText(masked: Masked | undefined, part: string, kind: SlotKind): Slot | undefined {
  if (!masked) return undefined;
  const s = slotOf(masked, part, kind);
  return s === 'invalid' ? undefined : s;
}

export interface ArnParts {
  partition: Slot;
  service: string;
  region: Slot | '';
  account: Slot | '';
  /** Masked resource part. */
  resource: string;
}

/** The ARN text with every placeholder restored, and the placeholders it holds. */
export function arnText(parts: ArnParts, masked: Masked): { arn: string; placeholders: string[] } {
  const value = (s: Slot | ''): string => (s === '' ? '' : s.value);
  const arn = buildArn({
    partition: parts.partition.value,
    service: parts.service,
    region: value(parts.region),
    account: value(parts.account),
    resource: masked.restore(parts.resource),
  });
  const placeholders = [
    ...parts.partition.placeholders,
    ...(parts.region === '' ? [] : parts.region.placeholders),
    ...(parts.account === '' ? [] : parts.account.placeholders),
    ...masked.tokensIn(parts.resource),
  ];
  return { arn, placeholders: [...new Set(placeholders)] };
}
