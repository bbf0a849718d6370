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
// widening would add is two array reads per action.
import { literalStarPrefix, resourceIncludes } from '../policy/wildcard.js';
import { baseLength, prefixEnds } from './resource-names.js';

export class BaseTrie {
  readonly keys: string[] = [];
  /** Length of the name prefix: how specific the node's pattern is. */
  readonly depth: number[] = [];
  readonly parent: number[] = [];
  readonly children: number[][] = [];
  /** Resources whose longest prefix is this node, with the trie-local ids of the actions required on each. */
  readonly members: { resource: string; actions: number[] }[][] = [];
  readonly ids = new Map<string, number>();
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
  private readonly interned = new Map<readonly string[], number[]>();

  constructor(readonly base: string) {
    this.prefixExact = !base.includes('$');
    this.node(base, -1, 0);
  }

  private node(key: string, parent: number, depth: number): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(key, id);
      this.keys.push(key);
      this.depth.push(depth);
      this.parent.push(parent);
      this.children.push([]);
      this.members.push([]);
      if (parent >= 0) this.children[parent]!.push(id);
    }
    return id;
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
    const n = this.base.length;
    for (const end of prefixEnds(resource, n).slice(1)) node = this.node(resource.slice(0, n + end), node, end);
    this.members[node]!.push({ resource, actions: this.actionList(actions) });
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
    this.members.forEach((list, node) => {
      for (const m of list) {
        for (const a of m.actions) {
          // Marked nodes are marked up to the root already.
          for (let up = node; up >= 0 && !this.fam[up * width + a]; up = this.parent[up]!) this.fam[up * width + a] = 1;
        }
      }
    });
  }

  computeBelow(): void {
    const width = this.actions.length;
    for (let n = this.keys.length - 1; n >= 0; n--) {
      const p = this.parent[n]!;
      for (let a = 0; a < width; a++) {
        const i = n * width + a;
        this.famBelow[i]! += this.fam[i]!;
        if (p >= 0) this.famBelow[p * width + a]! += this.famBelow[i]!;
      }
    }
  }

  /** The deepest node whose key is a prefix of `prefix` (the root when none is deeper). */
  deepestPrefix(prefix: string): number {
    if (!prefix.startsWith(this.base)) return 0;
    let deepest = 0;
    for (const end of prefixEnds(prefix, this.base.length).slice(1)) {
      const id = this.ids.get(prefix.slice(0, this.base.length + end));
      if (id === undefined) break;
      deepest = id;
    }
    return deepest;
  }

  /** Nodes whose key starts with `prefix` and that are not below another such node. */
  topsUnder(prefix: string): number[] {
    const exact = this.ids.get(prefix);
    if (exact !== undefined) return [exact];
    if (this.base.startsWith(prefix)) return [0];
    if (!prefix.startsWith(this.base)) return [];
    return this.children[this.deepestPrefix(prefix)]!.filter((c) => this.keys[c]!.startsWith(prefix));
  }

  /** Visits a node and everything below it. */
  walk(top: number, visit: (node: number) => void): void {
    const stack = [top];
    while (stack.length) {
      const n = stack.pop()!;
      visit(n);
      for (const c of this.children[n]!) stack.push(c);
    }
  }
}

/** `arn:p:svc:region:account:`, the part a base shares with every pattern that can reach it. */
function header(value: string): string {
  let colons = 0;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) === 58 && ++colons === 5) return value.slice(0, i + 1);
  return value;
}

export class Universe {
  readonly tries = new Map<string, BaseTrie>();
  /** Where each required resource with an ARN name sits. */
  readonly place = new Map<string, { trie: BaseTrie; node: number }>();
  /** (action, family) pairs opened by applied widenings. */
  opened = 0;
  private readonly required = new Map<string, string[]>();
  private readonly byHeader = new Map<string, BaseTrie[]>();

  /** `statements`: the exact policy's statements (each resource required for every action of its statement). */
  constructor(statements: { actions: string[]; resources: string[] }[]) {
    for (const { actions, resources } of statements) {
      for (const a of actions) {
        const list = this.required.get(a);
        if (list) list.push(...resources);
        else this.required.set(a, [...resources]);
      }
      for (const resource of resources) {
        const n = baseLength(resource);
        if (n < 0) continue;
        const base = resource.slice(0, n);
        let trie = this.tries.get(base);
        if (!trie) {
          this.tries.set(base, (trie = new BaseTrie(base)));
          const h = header(base);
          this.byHeader.set(h, [...(this.byHeader.get(h) ?? []), trie]);
        }
        this.place.set(resource, { trie, node: trie.add(resource, actions) });
      }
    }
    for (const trie of this.tries.values()) trie.seal();
    this.excludeRequired();
    for (const trie of this.tries.values()) trie.computeBelow();
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
    for (const t of this.byHeader.get(header(head)) ?? [])
      if (t.prefixExact && (head.startsWith(t.base) || t.base.startsWith(head))) out.push(t);
    return out;
  }

  /** A family that a requirement of the same action covers whole is required access, not extra. */
  private excludeRequired(): void {
    for (const [action, resources] of this.required) {
      for (const r of resources) {
        if (!r.includes('*') && !r.includes('${')) continue; // only `*` (or a variable) can hold a whole family
        const head = literalStarPrefix(r);
        // Usually `r` sits in the trie it covers (`log-group:G:*`): then no other trie can hold a key under it.
        const own = this.place.get(r)?.trie;
        const fast = head === undefined ? [] : own && this.only(own, head) ? [own] : this.related(head);
        for (const trie of fast) {
          const a = trie.actionIds.get(action);
          if (a === undefined) continue;
          const width = trie.actions.length;
          for (const top of trie.topsUnder(head!)) trie.walk(top, (n) => void (trie.fam[n * width + a] = 0));
        }
        for (const trie of this.tries.values()) {
          const a = trie.actionIds.get(action);
          if (a === undefined || (head !== undefined && trie.prefixExact)) continue;
          const width = trie.actions.length;
          trie.walk(0, (n) => {
            if (trie.fam[n * width + a] && resourceIncludes(r, `${trie.keys[n]}*`)) trie.fam[n * width + a] = 0;
          });
        }
      }
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
        for (let up = n; up >= 0; up = trie.parent[up]!) trie.openedBelow[up * width + a]! += delta;
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
        for (const m of trie.members[n]!) if (m.actions.includes(a) && m.resource.startsWith(head!)) absorbed.add(m.resource);
      });
    }
    let scan = head === undefined;
    for (const trie of this.tries.values()) {
      const a = trie.actionIds.get(action);
      if (a === undefined || (head !== undefined && trie.prefixExact)) continue;
      scan = true;
      const width = trie.actions.length;
      trie.walk(0, (n) => {
        if (trie.fam[n * width + a] && resourceIncludes(pattern, `${trie.keys[n]}*`)) extra.add(`${trie.keys[n]}*`);
      });
    }
    if (scan) for (const r of this.required.get(action) ?? []) if (resourceIncludes(pattern, r)) absorbed.add(r);
    return { extra: [...extra].sort(), absorbed: [...absorbed].sort() };
  }
}
