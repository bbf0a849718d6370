// The layer walls in eslint.config.js are live: `npm run lint` (eslint .) rejects an import that crosses a wall the
// wrong way, and accepts the same import in the allowed direction. Linted as if the fixture lived at each path.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';

const eslint = new ESLint({ cwd: repoRoot });

async function wallErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer walls (no-restricted-imports)', () => {
  it.each([
    ['lib/engine/wall-fixture.ts', "import { IamRoles } from '../adapters/aws/iam-roles.js';\nexport const x = IamRoles;\n", /adapters/],
    [
      'lib/engine/plan/wall-fixture.ts',
      "import { assessRole } from '../../app/recompute-role.js';\nexport const x = assessRole;\n",
      /application layer/,
    ],
    ['lib/engine/wall-fixture.ts', "import { IAMClient } from '@aws-sdk/client-iam';\nexport const x = IAMClient;\n", /ports/],
    [
      'lib/app/wall-fixture.ts',
      "import { DynamoAuditLog } from '../adapters/aws/audit-log.js';\nexport const x = DynamoAuditLog;\n",
      /adapters/,
    ],
    ['lib/app/wall-fixture.ts', "import { loadConfig } from '../config.js';\nexport const x = loadConfig;\n", /composition roots/],
    ['lib/app/wall-fixture.ts', "import { pipelineFor } from '../composition.js';\nexport const x = pipelineFor;\n", /composition root/],
    [
      'lib/adapters/aws/wall-fixture.ts',
      "import { buildPipeline } from '../../composition.js';\nexport const x = buildPipeline;\n",
      /composition root/,
    ],
    ['lib/adapters/aws/wall-fixture.ts', "import { run } from '../../../functions/denial.js';\nexport const x = run;\n", /functions/],
    [
      'lib/composition-wall-fixture.ts',
      "import { startMotoServer } from './dev/moto-server.js';\nexport const x = startMotoServer;\n",
      /dev-only/,
    ],
    ['functions/wall-fixture.ts', "import { main } from '../lib/cli/main.js';\nexport const x = main;\n", /CLI/],
  ])('%s: rejects %s', async (filePath, code, message) => {
    const errors = await wallErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['lib/app/wall-fixture.ts', "import { assess } from '../engine/assess.js';\nexport const x = assess;\n"],
    ['lib/adapters/aws/wall-fixture.ts', "import type { Roles } from '../../app/ports.js';\nexport type X = Roles;\n"],
    ['lib/composition-wall-fixture.ts', "import { IamRoles } from './adapters/aws/iam-roles.js';\nexport const x = IamRoles;\n"],
    ['functions/wall-fixture.ts', "import { pipelineFor } from '../lib/composition.js';\nexport const x = pipelineFor;\n"],
  ])('%s: allows the downward import', async (filePath, code) => {
    expect(await wallErrors(filePath, code)).toEqual([]);
  });
});
