// The candidate universe that extra access is measured over, and the bookkeeping compaction needs on it.
//
// Definition (README, "Compaction"): for an action A, the *families* of A are the families (resource-names.ts) of
// every resource A is required on, except those a requirement of A already covers whole (`log-group:/ecs/web:*`
// is required, not extra). A widened pattern P grants A *extra access* to exactly the families of A inside P:
// `secret:app-*` granting GetSecretValue opens `secret:app-*`, `secret:app-1/*`, `secret:app-1/db-*`, … — every
// name family the requirements reach under it, each standing for the secrets nobody named there. The extra
// access of a policy is the set of (action, family) pairs it allows; compaction keeps it as small as it can.
//
// One trie per ARN base holds every required resource by its name prefixes: node = prefix, a resource sits at
// its longest prefix. Per (node, action) it keeps whether the node is a family of the action, how many families
// of the action lie below it, and how many of those applied widenings have opened, so the extra access a
// widening would add is two array reads per action. Nodes, links and members are flat arrays and prefixes are
// found by a rolling hash: a role shared by thousands of task definitions allocates little beyond the keys.
import { literalPrefix, literalStarPrefix, resourceIncludes } from '../policy/wildcard.js';
import { baseLength, isNameDelimiter, stopsName } from './resource-names.js';

const NONE = -1;

/** FNV-1a over UTF-16 code units, kept a small integer. */
function step(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193) >>> 0;
}
const SEED = 0x811c9dc5;
const small = (h: number): number => h & 0x3fffffff;

function hashOf(value: string): number {
  let h = SEED;
  for (let i = 0; i < value.length; i++) h = step(h, value.charCodeAt(i));
  return h;
}

export class BaseTrie {
  readonly keys: string[] = [];
  /** Length of the name prefix: how specific the node's pattern is. */
  readonly depth: number[] = [];
  readonly parent: number[] = [];
  readonly firstChild: number[] = [];
  readonly nextSibling: number[] = [];
  /** Resources whose longest prefix is the node, as a list through memberNext; with the trie-local action ids. */
  readonly firstMember: number[] = [];
  readonly memberResource: string[] = [];
  readonly memberActions: number[][] = [];
  readonly memberNext: number[] = [];
  readonly actions: string[] = [];
  readonly actionIds = new Map<string, number>();
  /**
   * Whether a `<literal>*` pattern may be read as a string prefix here: keys never hold `$` after the base
   * (names are cut before it), but a base could, and `${$}` is one character to IAM.
   */
  readonly prefixExact: boolean;
  // Per (node, action) at node * actions.length + action; allocated by seal().
  fam = new Uint8Array(0);
  famBelow = new Int32Array(0);
  openedBelow = new Int32Array(0);
  cover = new Int32Array(0);
  private readonly byHash = new Map<number, number>();
  private readonly sameHash: number[] = [];
  private readonly baseHash: number;
  private readonly interned = new Map<readonly string[], number[]>();

  constructor(readonly base: string) {
    this.prefixExact = !base.includes('$');
    this.baseHash = hashOf(base);
    this.create(base, NONE, 0, this.baseHash);
  }

  private create(key: string, parent: number, depth: number, hash: number): number {
    const id = this.keys.length;
    this.keys.push(key);
    this.depth.push(depth);
    this.parent.push(parent);
    this.firstChild.push(NONE);
    this.firstMember.push(NONE);
    this.nextSibling.push(parent === NONE ? NONE : this.firstChild[parent]!);
    if (parent !== NONE) this.firstChild[parent] = id;
    this.sameHash.push(this.byHash.get(small(hash)) ?? NONE);
    this.byHash.set(small(hash), id);
    return id;
  }

  /** The node whose key is `value.slice(0, end)`, given that prefix's hash. */
  private find(value: string, end: number, hash: number): number {
    for (let id = this.byHash.get(small(hash)) ?? NONE; id !== NONE; id = this.sameHash[id]!) {
      const key = this.keys[id]!;
      if (key.length === end && value.startsWith(key)) return id;
    }
    return NONE;
  }

  /** The node whose key is exactly `key`, if any. */
  node(key: string): number {
    return this.find(key, key.length, hashOf(key));
  }

  /** Trie-local ids of an action list (lists are shared by a statement's resources: one lookup per statement). */
  private actionList(actions: readonly string[]): number[] {
    let ids = this.interned.get(actions);
    if (!ids) {
      ids = actions.map((a) => {
        let id = this.actionIds.get(a);
        if (id === undefined) {
          id = this.actions.length;
          this.actionIds.set(a, id);
          this.actions.push(a);
        }
        return id;
      });
      this.interned.set(actions, ids);
    }
    return ids;
  }

  /** Adds a resource (which starts with the base); returns the node it sits at. */
  add(resource: string, actions: readonly string[]): number {
    let node = 0;
    let h = this.baseHash;
    for (let i = this.base.length; i < resource.length; i++) {
      const c = resource.charCodeAt(i);
      if (stopsName(c)) break;
      h = step(h, c);
      if (!isNameDelimiter(c)) continue;
      const found = this.find(resource, i + 1, h);
      node = found !== NONE ? found : this.create(resource.slice(0, i + 1), node, i + 1 - this.base.length, h);
    }
    const m = this.memberResource.length;
    this.memberResource.push(resource);
    this.memberActions.push(this.actionList(actions));
    this.memberNext.push(this.firstMember[node]!);
    this.firstMember[node] = m;
    return node;
  }

  /** Marks every node on each member's path as a family of the member's actions; allocates the counters. */
  seal(): void {
    const width = this.actions.length;
    const size = this.keys.length * width;
    this.fam = new Uint8Array(size);
    this.famBelow = new Int32Array(size);
    this.openedBelow = new Int32Array(size);
    this.cover = new Int32Array(size);
    for (let node = 0; node < this.keys.length; node++) {
      for (let m = this.firstMember[node]!; m !== NONE; m = this.memberNext[m]!) {
        for (const a of this.memberActions[m]!) {
          // Marked nodes are marked up to the root already.
          for (let up = node; up !== NONE && !this.fam[up * width + a]; up = this.parent[up]!) this.fam[up * width + a] = 1;
        }
      }
    }
  }

  computeBelow(): void {
    const width = this.actions.length;
    for (let n = this.keys.length - 1; n >= 0; n--) {
      const p = this.parent[n]!;
      for (let a = 0; a < width; a++) {
        const i = n * width + a;
        this.famBelow[i]! += this.fam[i]!;
        if (p !== NONE) this.famBelow[p * width + a]! += this.famBelow[i]!;
      }
    }
  }

  /** The deepest node whose key is a prefix of `prefix` (the root when none is deeper). */
  deepestPrefix(prefix: string): number {
    if (!prefix.startsWith(this.base)) return 0;
    let deepest = 0;
    let h = this.baseHash;
    for (let i = this.base.length; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      if (stopsName(c)) break;
      h = step(h, c);
      if (!isNameDelimiter(c)) continue;
      const id = this.find(prefix, i + 1, h);
      if (id === NONE) break;
      deepest = id;
    }
    return deepest;
  }

  /** Nodes whose key starts with `prefix` and that are not below another such node. */
  topsUnder(prefix: string): number[] {
    const exact = this.node(prefix);
    if (exact !== NONE) return [exact];
    if (this.base.startsWith(prefix)) return [0];
    if (!prefix.startsWith(this.base)) return [];
    const out: number[] = [];
    for (let c = this.firstChild[this.deepestPrefix(prefix)]!; c !== NONE; c = this.nextSibling[c]!) {
      if (this.keys[c]!.startsWith(prefix)) out.push(c);
    }
    return out;
  }

  /**
   * Nodes whose family `key*` a pattern starting with the literal `lp` could hold: a family holds its own key, so
   * its key must start with `lp` (all of them when `lp` stops inside the base, or the base may hide characters).
   */
  candidates(lp: string): number[] {
    if (!this.prefixExact || this.base.startsWith(lp)) return [0];
    return this.topsUnder(lp);
  }

  /** Visits a node and everything below it. */
  walk(top: number, visit: (node: number) => void): void {
    const stack = [top];
    while (stack.length) {
      const n = stack.pop()!;
      visit(n);
      for (let c = this.firstChild[n]!; c !== NONE; c = this.nextSibling[c]!) stack.push(c);
    }
  }
}

/** `arn:p:svc:region:account:`, the part a base shares with every pattern that can reach it. */
function header(value: string): string {
  let colons = 0;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) === 58 && ++colons === 5) return value.slice(0, i + 1);
  return value;
}

/** A statement of the exact policy: every resource is required for every action. */
export interface ExactStatement {
  actions: string[];
  resources: string[];
}

export class Universe {
  readonly tries = new Map<string, BaseTrie>();
  /** (action, family) pairs opened by applied widenings. */
  opened = 0;
  private readonly places = new Map<ExactStatement, { tries: (BaseTrie | undefined)[]; nodes: Int32Array }>();
  private readonly required = new Map<string, string[]>();
  private readonly byHeader = new Map<string, BaseTrie[]>();

  constructor(private readonly statements: ExactStatement[]) {
    for (const st of statements) {
      const { actions, resources } = st;
      for (const a of actions) {
        const list = this.required.get(a);
        if (list) for (const r of resources) list.push(r);
        else this.required.set(a, [...resources]);
      }
      const place = { tries: new Array<BaseTrie | undefined>(resources.length), nodes: new Int32Array(resources.length).fill(NONE) };
      let last: BaseTrie | undefined;
      resources.forEach((resource, i) => {
        const n = baseLength(resource);
        if (n < 0) return;
        // Sorted resources mostly share the previous one's base: no slice, no lookup.
        let trie = last && n === last.base.length && resource.startsWith(last.base) ? last : undefined;
        if (!trie) {
          const base = resource.slice(0, n);
          trie = this.tries.get(base);
          if (!trie) {
            this.tries.set(base, (trie = new BaseTrie(base)));
            const h = header(base);
            this.byHeader.set(h, [...(this.byHeader.get(h) ?? []), trie]);
          }
        }
        last = trie;
        place.tries[i] = trie;
        place.nodes[i] = trie.add(resource, actions);
      });
      this.places.set(st, place);
    }
    for (const trie of this.tries.values()) trie.seal();
    this.excludeRequired();
    for (const trie of this.tries.values()) trie.computeBelow();
  }

  /** Where the statement's resources sit: trie and node per resource (no trie: not an ARN with a name). */
  placesOf(st: ExactStatement): { tries: (BaseTrie | undefined)[]; nodes: Int32Array } {
    return this.places.get(st)!;
  }

  /**
   * Is `trie` the only one a `<literal>*` pattern with this head reaches? When the head extends the trie's base and
   * the base ends in a resource type (`…:log-group:`), every other base of the same ARN header differs before the
   * head ends; an untyped base (`arn:aws:s3:::`, or a name without `/` or `:`) must be alone under its header.
   */
  private only(trie: BaseTrie, head: string): boolean {
    if (!trie.prefixExact || !head.startsWith(trie.base)) return false;
    const h = header(trie.base);
    return trie.base.length > h.length || this.byHeader.get(h)!.length === 1;
  }

  /** Tries a `<literal>*` pattern with this head may read as a prefix (same ARN header, one base a prefix of the other). */
  private related(head: string): BaseTrie[] {
    const out: BaseTrie[] = [];
    for (const t of this.byHeader.get(header(head)) ?? []) {
      if (t.prefixExact && (head.startsWith(t.base) || t.base.startsWith(head))) out.push(t);
    }
    return out;
  }

  /** A family that a requirement of the same action covers whole is required access, not extra. */
  private excludeRequired(): void {
    for (const st of this.statements) {
      const place = this.places.get(st)!;
      st.resources.forEach((r, i) => {
        if (!r.includes('*') && !r.includes('${')) return; // only `*` (or a variable) can hold a whole family
        const head = literalStarPrefix(r);
        // Usually `r` sits in the trie it covers (`log-group:G:*`): then no other trie can hold a key under it.
        const own = place.tries[i];
        const alone = head !== undefined && own !== undefined && this.only(own, head);
        const fast = head === undefined ? [] : alone ? [own] : this.related(head);
        // …and most often at the very node it names: `log-group:G:*` sits at `log-group:G:`.
        const at = alone && own.keys[place.nodes[i]!] === head ? [place.nodes[i]!] : undefined;
        for (const action of st.actions) {
          for (const trie of fast) {
            const a = trie.actionIds.get(action);
            if (a === undefined) continue;
            const width = trie.actions.length;
            for (const top of at ?? trie.topsUnder(head!)) trie.walk(top, (n) => void (trie.fam[n * width + a] = 0));
          }
          for (const trie of this.tries.values()) {
            const a = trie.actionIds.get(action);
            if (a === undefined || (head !== undefined && trie.prefixExact)) continue;
            const width = trie.actions.length;
            for (const top of trie.candidates(literalPrefix(r))) {
              trie.walk(top, (n) => {
                if (trie.fam[n * width + a] && resourceIncludes(r, `${trie.keys[n]}*`)) trie.fam[n * width + a] = 0;
              });
            }
          }
        }
      });
    }
  }

  /** Families of the given actions below `node` that no applied widening has opened yet. */
  cost(trie: BaseTrie, node: number, actions: number[]): number {
    const width = trie.actions.length;
    let sum = 0;
    for (const a of actions) sum += trie.famBelow[node * width + a]! - trie.openedBelow[node * width + a]!;
    return sum;
  }

  /** Every family of the given actions below `node` (opened or not). */
  gross(trie: BaseTrie, node: number, actions: number[]): number {
    const width = trie.actions.length;
    let sum = 0;
    for (const a of actions) sum += trie.famBelow[node * width + a]!;
    return sum;
  }

  /** Applies (+1) or withdraws (-1) a widening to `node`'s pattern for the given actions. */
  open(trie: BaseTrie, node: number, actions: number[], delta: 1 | -1): void {
    const width = trie.actions.length;
    trie.walk(node, (n) => {
      for (const a of actions) {
        const i = n * width + a;
        if (!trie.fam[i]) continue;
        const before = trie.cover[i]!;
        trie.cover[i] = before + delta;
        if (delta === 1 ? before !== 0 : before !== 1) continue;
        this.opened += delta;
        for (let up = n; up !== NONE; up = trie.parent[up]!) trie.openedBelow[up * width + a]! += delta;
      }
    });
  }

  /**
   * What granting `action` on `pattern` adds: the families of the action inside the pattern (sorted), and the
   * required resources of the action it covers (sorted). Exact for any pattern: a `<literal>*` pattern is read
   * from the tries as a prefix, anything else is checked family by family and resource by resource.
   */
  grantOf(action: string, pattern: string): { extra: string[]; absorbed: string[] } {
    const extra = new Set<string>();
    const absorbed = new Set<string>();
    const head = literalStarPrefix(pattern);
    const fast = head === undefined ? [] : this.related(head);
    for (const trie of fast) {
      const a = trie.actionIds.get(action);
      if (a === undefined) continue;
      const width = trie.actions.length;
      for (const top of trie.topsUnder(head!)) {
        trie.walk(top, (n) => {
          if (trie.fam[n * width + a]) extra.add(`${trie.keys[n]}*`);
        });
      }
      // A resource sits at its longest prefix, which may be shorter than `head`: start from the deepest node above.
      trie.walk(trie.deepestPrefix(head!), (n) => {
        for (let m = trie.firstMember[n]!; m !== NONE; m = trie.memberNext[m]!) {
          const resource = trie.memberResource[m]!;
          if (trie.memberActions[m]!.includes(a) && resource.startsWith(head!)) absorbed.add(resource);
        }
      });
    }
    let scan = head === undefined;
    for (const trie of this.tries.values()) {
      const a = trie.actionIds.get(action);
      if (a === undefined || (head !== undefined && trie.prefixExact)) continue;
      scan = true;
      const width = trie.actions.length;
      for (const top of trie.candidates(literalPrefix(pattern))) {
        trie.walk(top, (n) => {
          if (trie.fam[n * width + a] && resourceIncludes(pattern, `${trie.keys[n]}*`)) extra.add(`${trie.keys[n]}*`);
        });
      }
    }
    if (scan) for (const r of this.required.get(action) ?? []) if (resourceIncludes(pattern, r)) absorbed.add(r);
    return { extra: [...extra].sort(), absorbed: [...absorbed].sort() };
  }
}
