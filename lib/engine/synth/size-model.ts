// The size IAM counts (policySize: JSON without white space) of what render() writes, computed from lengths
// alone, so compaction can weigh a step without rendering and serializing the whole policy again.
import { family, type Draft } from './render.js';
const PLAIN = /^[\x21\x23-\x5b\x5d-\x7e]*$/; // printable ASCII except `"` and `\`: JSON adds only the quotes

/** Characters of `JSON.stringify(value)` without white space. */
export function jsonLength(value: string): number {
  return PLAIN.test(value) ? value.length + 2 : JSON.stringify(value).replace(/\s/g, '').length;
}

/** A list of `count` strings whose jsonLength sum is `chars`, written as render() writes it. */
export function listLength(count: number, chars: number): number {
  return count === 1 ? chars : chars + (count - 1) + 2;
}

export interface StatementSize {
  /** Sid stem: family(actions)[0]. */
  stem: string;
  /** listLength of the actions and of the resources. */
  actionsLength: number;
  resourcesLength: number;
}

const DOCUMENT = '{"Version":"2012-10-17","Statement":[]}'.length;
// {"Sid":…,"Effect":"Allow","Action":…,"Resource":…}
const STATEMENT = '{"Sid":,"Effect":"Allow","Action":,"Resource":}'.length;

/** policySize(render(statements, sidPrefix)), from lengths. */
export function documentSize(statements: StatementSize[], sidPrefix: string): number {
  const stems = new Map<string, number>();
  let size = DOCUMENT + Math.max(0, statements.length - 1);
  for (const s of statements) {
    stems.set(s.stem, (stems.get(s.stem) ?? 0) + 1);
    size += STATEMENT + s.actionsLength + s.resourcesLength;
  }
  for (const [stem, total] of stems) {
    const sid = sidPrefix.length + stem.length + 2;
    size += total * sid;
    if (total > 1) for (let n = 1; n <= total; n++) size += String(n).length;
  }
  return size;
}

/** policySize(render(list, sidPrefix)) without rendering. */
export function draftsSize(list: Draft[], sidPrefix: string): number {
  const length = (values: string[]): number =>
    listLength(
      values.length,
      values.reduce((n, v) => n + jsonLength(v), 0),
    );
  return documentSize(
    list.map((d) => ({ stem: family(d.actions)[0], actionsLength: length(d.actions), resourcesLength: length(d.resources) })),
    sidPrefix,
  );
}
