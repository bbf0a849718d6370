// Compaction: fit a policy over its size budget by widening as little as it can. A widening replaces the
// resources of one statement (one action set) under a name prefix by `<base><prefix>*` (resource-names.ts).
// Its price is the extra access it adds (universe.ts: the (action, family) pairs it opens that nothing has
// opened yet); its value is the characters it saves.
//   1. Greedy: take the widening with the most characters saved per unit of extra access; when one widening
//      would be enough to fit, take the cheapest widening that is enough instead (often part of a group:
//      `config-0/*` rather than `config-*`).
//   2. Refine: try to undo every widening, most extra access first. If the policy still fits without it, it
//      stays undone; if not, its group is re-compacted from its parts (merge part of the group) and kept only
//      when that opens fewer families. Repeat while something improves.
// Statements whose resources end up the same patterns are written as one ((A×R) ∪ (B×R) = (A∪B)×R adds nothing).
// Sizes come from size-model.ts (exact, without rendering); each step touches only the prefixes it changes.
import { LeashError } from '../../errors.js';
import { Heap } from './heap.js';
import { family, type Draft } from './render.js';
import { documentSize, jsonLength, listLength, type StatementSize } from './size-model.js';
import type { BaseTrie, Universe } from './universe.js';

interface Node {
  readonly draft: DraftState;
  readonly trie: BaseTrie;
  readonly gid: number;
  readonly key: string;
  readonly depth: number;
  readonly parent: Node | undefined;
  readonly children: Node[];
  /** Literal resources whose longest prefix is this node. */
  readonly direct: string[];
  readonly order: number;
  readonly patternChars: number;
  /** Hashes of the pattern (0 until first chosen). */
  h1: number;
  h2: number;
  /** The statement's actions as ids of this trie. */
  readonly actions: number[];
  chosen: boolean;
  /** Chosen nodes strictly below. */
  below: number;
  // What is listed under the node while it is not chosen: entries, their JSON length, literals, pattern hashes.
  count: number;
  chars: number;
  literals: number;
  s1: number;
  s2: number;
}

interface DraftState {
  readonly index: number;
  readonly actions: string[];
  readonly actionsLength: number;
  readonly stem: string;
  /** Resources never widened: no ARN name (`*`), or the statement's only resource under its ARN base. */
  readonly fixed: string[];
  readonly roots: Node[];
  readonly chosen: Set<Node>;
  count: number;
  chars: number;
  literals: number;
  s1: number;
  s2: number;
}

interface Entry {
  node: Node;
  savings: number;
  cost: number;
  ratio: number;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function hash(value: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return h | 0;
}

// Most characters per unit of extra access; then the most specific prefix; then a stable order.
function before(a: Entry, b: Entry): boolean {
  if (a.ratio !== b.ratio) return a.ratio > b.ratio;
  if (a.node.depth !== b.node.depth) return a.node.depth > b.node.depth;
  if (a.savings !== b.savings) return a.savings > b.savings;
  if (a.node.key !== b.node.key) return a.node.key < b.node.key;
  return a.node.order < b.node.order;
}

class Compactor {
  readonly drafts: DraftState[] = [];
  readonly nodes: Node[] = [];
  /** Nodes of every statement, by trie node. */
  private readonly at = new Map<BaseTrie, Node[][]>();

  constructor(
    list: Draft[],
    private readonly universe: Universe,
    private readonly sidPrefix: string,
  ) {
    // Statements have distinct action sets: ordering by them is canonical without comparing resource lists.
    const keyed = list.map((d) => ({ d, fam: family(d.actions), key: d.actions.join(',') }));
    keyed.sort((a, b) => a.fam[1] - b.fam[1] || compare(a.fam[0], b.fam[0]) || compare(a.key, b.key));
    keyed.forEach(({ d }, index) => this.drafts.push(this.draft(d, index)));
  }

  private draft(d: Draft, index: number): DraftState {
    const state: DraftState = {
      index,
      actions: d.actions,
      actionsLength: listLength(
        d.actions.length,
        d.actions.reduce((n, a) => n + jsonLength(a), 0),
      ),
      stem: family(d.actions)[0],
      fixed: [],
      roots: [],
      chosen: new Set(),
      count: 0,
      chars: 0,
      literals: 0,
      s1: 0,
      s2: 0,
    };
    // Only prefixes holding two or more of the statement's resources can be widened: a resource is attached to
    // the longest of those above it (or, when there is none, is never widened), so single-resource prefixes cost
    // no node.
    const mine = new Map<BaseTrie, { nodes: Node[]; actions: number[]; below: Int32Array }>();
    const place = this.universe.placesOf(d);
    d.resources.forEach((_, i) => {
      const trie = place.tries[i];
      if (!trie) return;
      let here = mine.get(trie);
      if (!here) {
        const actions = d.actions.map((a) => trie.actionIds.get(a)!);
        mine.set(trie, (here = { nodes: [], actions, below: new Int32Array(trie.keys.length) }));
      }
      for (let g = place.nodes[i]!; g >= 0; g = trie.parent[g]!) here.below[g]!++;
    });
    d.resources.forEach((resource, i) => {
      const chars = jsonLength(resource);
      state.count++;
      state.chars += chars;
      state.literals++;
      const trie = place.tries[i];
      const here = trie && mine.get(trie)!;
      let g = trie ? place.nodes[i]! : -1;
      while (g >= 0 && here!.below[g]! < 2) g = trie!.parent[g]!;
      if (g < 0) {
        state.fixed.push(resource);
        return;
      }
      const leaf = this.ensure(state, trie!, g, here!);
      leaf.direct.push(resource);
      for (let u: Node | undefined = leaf; u; u = u.parent) {
        u.count++;
        u.chars += chars;
        u.literals++;
      }
    });
    return state;
  }

  /** The statement's node for trie node `gid`, created with its missing ancestors. */
  private ensure(draft: DraftState, trie: BaseTrie, gid: number, here: { nodes: Node[]; actions: number[] }): Node {
    const seen = here.nodes[gid];
    if (seen) return seen;
    const up = trie.parent[gid]!;
    const parent = up >= 0 ? this.ensure(draft, trie, up, here) : undefined;
    const node = this.node(draft, trie, gid, parent, here.actions);
    here.nodes[gid] = node;
    if (parent) parent.children.push(node);
    else draft.roots.push(node);
    return node;
  }

  private node(draft: DraftState, trie: BaseTrie, gid: number, parent: Node | undefined, actions: number[]): Node {
    const key = trie.keys[gid]!;
    const node: Node = {
      draft,
      trie,
      gid,
      key,
      depth: trie.depth[gid]!,
      parent,
      children: [],
      direct: [],
      order: this.nodes.length,
      patternChars: jsonLength(key) + 1, // the `*` adds one character
      h1: 0,
      h2: 0,
      actions,
      chosen: false,
      below: 0,
      count: 0,
      chars: 0,
      literals: 0,
      s1: 0,
      s2: 0,
    };
    this.nodes.push(node);
    let byGid = this.at.get(trie);
    if (!byGid) this.at.set(trie, (byGid = []));
    (byGid[gid] ??= []).push(node);
    return node;
  }

  // --- state changes ---

  private shift(v: Node, count: number, chars: number, literals: number, s1: number, s2: number, below: number): void {
    for (let u = v.parent; u; u = u.parent) {
      u.count += count;
      u.chars += chars;
      u.literals += literals;
      u.s1 = (u.s1 + s1) | 0;
      u.s2 = (u.s2 + s2) | 0;
      u.below += below;
    }
    const d = v.draft;
    d.count += count;
    d.chars += chars;
    d.literals += literals;
    d.s1 = (d.s1 + s1) | 0;
    d.s2 = (d.s2 + s2) | 0;
  }

  choose(v: Node): void {
    const stack = [...v.children];
    while (stack.length) {
      const w = stack.pop()!;
      if (w.chosen) this.unchoose(w);
      else if (w.below) for (const c of w.children) stack.push(c);
    }
    if (v.h1 === 0 && v.h2 === 0) {
      v.h1 = hash(`${v.key}*`, 0x811c9dc5) || 1;
      v.h2 = hash(`${v.key}*`, 0x12345678);
    }
    v.chosen = true;
    v.draft.chosen.add(v);
    this.shift(v, 1 - v.count, v.patternChars - v.chars, -v.literals, (v.h1 - v.s1) | 0, (v.h2 - v.s2) | 0, 1);
    this.universe.open(v.trie, v.gid, v.actions, 1);
  }

  unchoose(v: Node): void {
    v.chosen = false;
    v.draft.chosen.delete(v);
    this.shift(v, v.count - 1, v.chars - v.patternChars, v.literals, (v.s1 - v.h1) | 0, (v.s2 - v.h2) | 0, -1);
    this.universe.open(v.trie, v.gid, v.actions, -1);
  }

  // --- questions ---

  private valid(v: Node): boolean {
    if (v.chosen || v.count < 2) return false;
    for (let u = v.parent; u; u = u.parent) if (u.chosen) return false;
    return true;
  }

  private entry(v: Node): Entry {
    const savings = v.chars - v.patternChars + v.count - 1;
    const cost = this.universe.cost(v.trie, v.gid, v.actions);
    return { node: v, savings, cost, ratio: cost === 0 ? Infinity : savings / cost };
  }

  /** Statements as render() will write them: drafts left with the same patterns (and no literal) are one. */
  private statements(): { drafts: DraftState[]; actions: string[] }[] {
    const out: { drafts: DraftState[]; actions: string[] }[] = [];
    const widened = new Map<string, DraftState[]>();
    for (const d of this.drafts) {
      if (d.literals > 0) out.push({ drafts: [d], actions: d.actions });
      else {
        const key = `${d.s1},${d.s2},${d.count},${d.chars}`;
        const group = widened.get(key) ?? [];
        group.push(d);
        widened.set(key, group);
      }
    }
    for (const group of widened.values()) {
      // Equal hashes almost surely mean equal patterns; the exact list decides.
      const exact = new Map<string, DraftState[]>();
      for (const d of group) {
        const key = [...d.chosen]
          .map((n) => n.key)
          .sort()
          .join('\n');
        exact.set(key, [...(exact.get(key) ?? []), d]);
      }
      for (const same of exact.values()) {
        const actions = same.length === 1 ? same[0]!.actions : [...new Set(same.flatMap((d) => d.actions))].sort();
        out.push({ drafts: same, actions });
      }
    }
    return out;
  }

  size(): number {
    const statements: StatementSize[] = this.statements().map(({ drafts, actions }) => {
      const d = drafts[0]!;
      const resourcesLength = listLength(d.count, d.chars);
      if (drafts.length === 1) return { stem: d.stem, actionsLength: d.actionsLength, resourcesLength };
      const actionsLength = listLength(
        actions.length,
        actions.reduce((n, a) => n + jsonLength(a), 0),
      );
      return { stem: family(actions)[0], actionsLength, resourcesLength };
    });
    return documentSize(statements, this.sidPrefix);
  }

  result(): Draft[] {
    return this.statements().map(({ drafts, actions }) => {
      const d = drafts[0]!;
      const resources = [...d.fixed];
      const stack = [...d.roots];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.chosen) resources.push(`${n.key}*`);
        else {
          for (const r of n.direct) resources.push(r);
          for (const c of n.children) stack.push(c);
        }
      }
      return { actions, resources: resources.sort() };
    });
  }

  // --- the two phases ---

  /**
   * Widens nodes of `scope` until the policy fits; false when nothing is left to widen. `cross`: also refresh
   * the candidates of other statements whose extra access a step changed (the global pass).
   */
  reduce(scope: Node[], maxSize: number, cross: boolean, openedBelow = Infinity): boolean {
    const inScope = cross ? undefined : new Set(scope);
    const heap = new Heap<Entry>(before);
    for (const v of scope) if (this.valid(v)) heap.push(this.entry(v));
    let size = this.size();
    while (size > maxSize) {
      let best: Entry | undefined;
      for (let e = heap.pop(); e; e = heap.pop()) {
        if (!this.valid(e.node)) continue;
        const fresh = this.entry(e.node);
        if (fresh.savings !== e.savings || fresh.cost !== e.cost) {
          heap.push(fresh);
          continue;
        }
        best = e;
        break;
      }
      if (!best) return false;
      const need = size - maxSize;
      let pick = best.node;
      if (best.savings >= need && best.cost > 0) pick = this.cheapestSufficing(scope, need) ?? pick;
      this.choose(pick);
      if (pick !== best.node && this.valid(best.node)) heap.push(this.entry(best.node));
      this.refresh(pick, heap, inScope, cross);
      if (this.universe.opened >= openedBelow) return false;
      size = this.size();
    }
    return true;
  }

  /** Among widenings that alone would make the policy fit, the one adding the least (then the narrowest). */
  private cheapestSufficing(scope: Node[], need: number): Node | undefined {
    let pick: Entry | undefined;
    for (const v of scope) {
      if (!this.valid(v)) continue;
      const e = this.entry(v);
      if (e.savings < need) continue;
      if (
        !pick ||
        e.cost < pick.cost ||
        (e.cost === pick.cost &&
          (v.depth > pick.node.depth ||
            (v.depth === pick.node.depth &&
              (e.savings < pick.savings ||
                (e.savings === pick.savings && (v.key < pick.node.key || (v.key === pick.node.key && v.order < pick.node.order)))))))
      ) {
        pick = e;
      }
    }
    return pick?.node;
  }

  private refresh(v: Node, heap: Heap<Entry>, inScope: Set<Node> | undefined, cross: boolean): void {
    const push = (n: Node): void => {
      if ((!inScope || inScope.has(n)) && this.valid(n)) heap.push(this.entry(n));
    };
    for (let u = v.parent; u; u = u.parent) push(u);
    if (!cross) return;
    // Other statements with an action in common: what v opened is no longer new for them.
    const byGid = this.at.get(v.trie)!;
    const shares = (n: Node): boolean => n.draft !== v.draft && n.actions.some((a) => v.actions.includes(a));
    for (let g = v.trie.parent[v.gid]!; g >= 0; g = v.trie.parent[g]!) for (const n of byGid[g] ?? []) if (shares(n)) push(n);
    for (const n of byGid[v.gid] ?? []) {
      if (!shares(n)) continue;
      const stack = [n];
      while (stack.length) {
        const w = stack.pop()!;
        push(w);
        for (const c of w.children) stack.push(c);
      }
    }
  }

  refine(maxSize: number): void {
    // Each accepted change opens strictly fewer families, so this ends; the cap only bounds pathological inputs.
    for (let pass = 0; pass < 64; pass++) {
      let changed = false;
      const chosen = this.nodes
        .filter((n) => n.chosen)
        .map((n) => ({ n, gross: this.universe.gross(n.trie, n.gid, n.actions) }))
        .sort((a, b) => b.gross - a.gross || (a.n.key < b.n.key ? -1 : a.n.key > b.n.key ? 1 : a.n.order - b.n.order));
      for (const { n: v } of chosen) {
        if (!v.chosen) continue;
        const opened = this.universe.opened;
        this.unchoose(v);
        if (this.size() <= maxSize) {
          if (this.universe.opened < opened) changed = true;
          else this.choose(v);
          continue;
        }
        // Widening each part whole saves the most the parts can save: when even that does not fit, do not try.
        const best = v.children.reduce((n, c) => n + (c.count >= 2 ? c.chars - c.patternChars + c.count - 1 : 0), 0);
        const parts: Node[] = [];
        if (this.size() - best <= maxSize) {
          const stack = [...v.children];
          while (stack.length) {
            const w = stack.pop()!;
            parts.push(w);
            for (const c of w.children) stack.push(c);
          }
        }
        if (parts.length && this.reduce(parts, maxSize, false, opened)) {
          changed = true;
          continue;
        }
        this.choose(v); // back as it was (withdraws whatever the parts took)
      }
      if (!changed) return;
    }
  }
}

/** Compacts drafts to fit `maxSize`; throws when even widening everything that can be widened is not enough. */
export function compact(list: Draft[], universe: Universe, maxSize: number, sidPrefix: string): Draft[] {
  const c = new Compactor(list, universe, sidPrefix);
  if (!c.reduce(c.nodes, maxSize, true)) {
    throw new LeashError(
      `the least-privilege policy needs ${c.size()} characters, over the ${maxSize}-character limit even after compaction; ` +
        'split the role or reduce the resources it needs',
    );
  }
  c.refine(maxSize);
  return c.result();
}
