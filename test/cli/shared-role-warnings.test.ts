// Issue 10, item 3 for files: `leash plan` and `leash diff` flag a task definition whose task role is its execution role
// (five of the corpus task definitions do): the role is more than an execution role, and its other permissions are the
// application's. A separate execution role is not flagged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leash } from '../support/cli.js';
import { corpusPath } from '../support/corpus.js';

const SAME = corpusPath('task-definitions', 'A05_firelens-examples_newrelic.json');
const SEPARATE = corpusPath('task-definitions', 'A12_c7n-placebo_test-delete-definition_2.json');
const dir = mkdtempSync(join(tmpdir(), 'leash-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = join(dir, 'policy.json');
writeFileSync(policy, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }));

/** Text output wraps at the terminal width: compared with its whitespace folded. */
const flat = (text: string) => text.replace(/\s+/g, ' ');
const sharedWarnings = (out: string) =>
  (JSON.parse(out) as { warnings: { code: string; message: string }[] }).warnings.filter((w) => w.code === 'shared-role');

describe('task role equal to execution role, on files', () => {
  it('leash plan --json warns shared-role, naming the file and the role', async () => {
    const r = await leash('plan', '--json', SAME);
    const [w, ...more] = sharedWarnings(r.out);
    expect(more).toEqual([]);
    expect(w!.message).toContain('A05_firelens-examples_newrelic.json: taskRoleArn and executionRoleArn are the same role');
    expect(w!.message).toContain('ecsTaskExecutionRole');
    expect(sharedWarnings((await leash('plan', '--json', SEPARATE)).out)).toEqual([]);
  });

  it('leash plan (text) and leash diff (text and JSON) say the same', async () => {
    expect(flat((await leash('plan', SAME)).out)).toMatch(/\[shared-role\] .*taskRoleArn and executionRoleArn are the same role/);
    const text = await leash('diff', '--policy', policy, SAME);
    expect(flat(text.out)).toMatch(/\[shared-role\] .*give the task definition a dedicated execution role/);
    expect(sharedWarnings((await leash('diff', '--json', '--policy', policy, SAME)).out)).toHaveLength(1);
    expect(sharedWarnings((await leash('diff', '--json', '--policy', policy, SEPARATE)).out)).toEqual([]);
  });
});
