// Pins what `leash plan --json` prints for each corpus task-definition file alone (test/fixtures/plans/<file>),
// saved before the engine speed work: any plan that needs no compaction must stay byte-identical. A change
// another issue intends (e.g. new intent) updates these fixtures deliberately, in its own commit (issue 13's
// placeholders did: the policies of A03, A04, A05, A06, A08 and A15 keep their placeholder grants now; issue 10 added
// the shared-role warning where taskRoleArn equals executionRoleArn, with no policy changed).
// Files the CLI refuses (exit 2, e.g. CloudFormation templates) have no fixture.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leash } from '../../support/cli.js';
import { corpusPath, listCorpus, repoRoot } from '../../support/corpus.js';

const FIXTURES = join(repoRoot, 'test/fixtures/plans');
const files = listCorpus('task-definitions');

describe('corpus plans are byte-identical to their saved fixtures', () => {
  it('has a fixture for most corpus files (the comparison below is not vacuous)', () => {
    expect(files.filter((f) => existsSync(join(FIXTURES, f))).length).toBeGreaterThanOrEqual(25);
  });

  it.each(files)('%s', async (file) => {
    const run = await leash('plan', '--json', relative(process.cwd(), corpusPath('task-definitions', file)));
    const fixture = join(FIXTURES, file);
    if (!existsSync(fixture)) {
      // No fixture means the CLI refused the file when the fixtures were saved: it must still refuse it.
      expect(run.code).toBe(2);
      return;
    }
    const saved = readFileSync(fixture, 'utf8');
    // 0 complete, 3 incomplete (a placeholder or an unknown account/Region left unresolved): as the plan says.
    expect(run.code).toBe((JSON.parse(saved) as { complete: boolean }).complete ? 0 : 3);
    // Only plans that needed no compaction are pinned byte for byte; none of the corpus files needs any today.
    expect((JSON.parse(saved) as { compaction: unknown[] }).compaction).toEqual([]);
    expect(run.out).toBe(saved);
  });
});
