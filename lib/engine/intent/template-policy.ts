// The policy of a template plan. Placeholders stay in it as written, but `${…}` would read as an IAM policy variable
// to the synthesizer's own coverage check (and `*`/`?` never appear: such placeholders yield no grant). So the policy
// is synthesized over inert, same-length stand-ins, and the placeholders are put back in the finished document: the
// statements, their order and the size IAM counts are those of the template itself.
import { LeashError } from '../../errors.js';
import { policySize } from '../policy/size.js';
import { synthesize, type SynthesizeOptions } from '../synth/synthesize.js';
import type { Intent, Requirement, SynthesizedPolicy } from '../types.js';

const FIRST = 0xe100;

export function synthesizeTemplate(intent: Intent, opts: SynthesizeOptions = {}): SynthesizedPolicy {
  // Longest first, so a placeholder inside another one's text is never replaced by a part of it.
  const tokens = [
    ...new Set(intent.unresolved.filter((l) => l.kind === 'placeholder' && l.resource.length >= 2).map((l) => l.resource)),
  ].sort((a, b) => b.length - a.length);
  if (!tokens.some((t) => intent.requirements.some((r) => r.resource.includes(t)))) return synthesize(intent.requirements, opts);
  if (tokens.length > 0xdff) throw new LeashError('too many placeholders to plan at once');
  // Same length as the placeholder: one marker, one index character, filler.
  const stand = tokens.map((t, i) => `\uE000${String.fromCharCode(FIRST + i)}${'\uE001'.repeat(t.length - 2)}`);
  const mask = (s: string): string => tokens.reduce((acc, t, i) => acc.split(t).join(stand[i]), s);
  const unmask = (s: string): string => stand.reduce((acc, m, i) => acc.split(m).join(tokens[i]), s);
  const masked: Requirement[] = intent.requirements.map((r) => ({ ...r, resource: mask(r.resource) }));
  const policy = synthesize(masked, opts);
  const text = unmask(JSON.stringify(policy.document));
  if (/[\uE000-\uEFFF]/.test(text))
    throw new LeashError('compacting the policy would cut through a placeholder: plan fewer task definitions at once');
  const document = JSON.parse(text) as SynthesizedPolicy['document'];
  const compaction = policy.compaction.map((c) => ({
    ...c,
    from: c.from.map(unmask),
    to: unmask(c.to),
    extraAccess: unmask(c.extraAccess),
    ...(c.extra ? { extra: c.extra.map(unmask) } : {}),
  }));
  return { document, size: policySize(document), compaction };
}
