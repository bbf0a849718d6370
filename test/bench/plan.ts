// plan and policySize: the pure pipeline's throughput over the corpus, and what sharing a role does to the policy.
import { intentOf } from '../../lib/engine/assess.js';
import { synthesize } from '../../lib/engine/synth/synthesize.js';

/** Task definitions → intent → least-privilege policy (what `leash plan` prints). */
const analyze = (input: Parameters<typeof intentOf>[0]) => {
  const intent = intentOf(input);
  return { intent, policy: synthesize(intent.requirements) };
};
import { parseTaskDefinitions } from '../../lib/engine/input/task-definition.js';
import type { SourcedTaskDefinition } from '../../lib/engine/types.js';
import { listCorpus, readCorpusText } from '../support/corpus.js';
import { generatedRole } from './generate.js';

export const BUDGET = 10_240;

function corpusTaskDefinitions(): { tds: SourcedTaskDefinition[]; skipped: string[] } {
  const tds: SourcedTaskDefinition[] = [];
  const skipped: string[] = [];
  for (const file of listCorpus('task-definitions', '.json')) {
    try {
      tds.push(...parseTaskDefinitions(readCorpusText('task-definitions', file), file));
    } catch (err) {
      skipped.push(`${file}: ${(err as Error).message}`);
    }
  }
  return { tds, skipped };
}

/** Repeats `fn` until at least `minMs` have passed (after a warm-up) and returns runs per second. */
function perSecond(fn: () => void, minMs = 1500): { runs: number; perSecond: number } {
  for (let i = 0; i < 20; i++) fn();
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < minMs) {
    fn();
    runs++;
  }
  return { runs, perSecond: Math.round((runs * 1000) / (performance.now() - start)) };
}

function sharedRole(n: number) {
  const tds = generatedRole(n);
  const start = performance.now();
  try {
    const { intent, policy } = analyze({ taskDefinitions: tds });
    return {
      taskDefinitions: n,
      ms: Math.round((performance.now() - start) * 10) / 10,
      requirements: intent.requirements.length,
      policySize: policy.size,
      budget: BUDGET,
      usedPercent: Math.round((policy.size / BUDGET) * 1000) / 10,
      compactionNotes: policy.compaction.length,
      compaction: policy.compaction.map((c) => ({
        action: c.action,
        mergedResources: c.from.length,
        to: c.to,
        extraAccess: c.extraAccess,
      })),
    };
  } catch (err) {
    return { taskDefinitions: n, ms: Math.round(performance.now() - start), error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

export function benchPlan() {
  const { tds, skipped } = corpusTaskDefinitions();
  const each = perSecond(() => {
    for (const td of tds) analyze({ taskDefinitions: [td] });
  });
  const shared = sharedRole(500);
  return {
    corpus: {
      taskDefinitions: tds.length,
      skippedFiles: skipped,
      taskDefinitionsPerSecond: each.perSecond * tds.length,
      repetitions: each.runs,
    },
    sharedRole500: { ...shared, compaction: undefined },
  };
}

export function benchPolicySize() {
  return [10, 100, 1000].map((n) => {
    const r = sharedRole(n);
    // Keep the report readable: the first notes are representative, the count says how many there are.
    return 'compaction' in r && r.compaction ? { ...r, compaction: r.compaction.slice(0, 5) } : r;
  });
}
