// The settings reference (docs/settings.md) against the code and serverless.yml, in both directions: every LEASH_*
// variable the code reads is documented and every documented one is read; every serverless param is documented
// with its real default, and is a CloudFormation parameter. The packaged template's side (which function gets which
// variable, from which parameter) is checked in package.test.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { repoRoot } from '../support/corpus.js';
import { cfnParameter, settingsReference, variablesReadByCode } from './settings-reference.js';

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const load = (file: string) => yaml.load(readFileSync(join(repoRoot, file), 'utf8')) as Record<string, unknown>;

const ref = settingsReference();
const serverless = load('serverless.yml') as { params: { default: Record<string, unknown> } };
const cfnParameters = (load('infra/fragments/parameters.yml') as { Parameters: Record<string, { Default?: string }> }).Parameters;

describe('settings reference (docs/settings.md)', () => {
  it('documents exactly the LEASH_* variables the code reads', () => {
    const read = variablesReadByCode();
    const documented = ref.variables.map((v) => v.variable);
    expect(new Set(documented).size, 'a variable is documented twice').toBe(documented.length);
    const undocumented = [...read.keys()].filter((v) => !documented.includes(v)).map((v) => `${v} (read in ${read.get(v)!.join(', ')})`);
    expect(undocumented, 'read by the code but missing from docs/settings.md').toEqual([]);
    expect(
      documented.filter((v) => !read.has(v)),
      'documented in docs/settings.md but read nowhere in lib/ or functions/',
    ).toEqual([]);
  });

  it('documents every serverless param with its real default, and nothing else', () => {
    const documented = [
      ...ref.variables.flatMap((v) => (typeof v.source === 'object' ? [{ param: v.source.param, default: v.default }] : [])),
      ...ref.params,
    ];
    const params = serverless.params.default;
    expect(documented.map((d) => d.param).sort()).toEqual(Object.keys(params).sort());
    for (const d of documented) expect(String(params[d.param]), d.param).toBe(d.default);
  });

  it('every deployed variable has a CloudFormation parameter of the same name, defaulting to its serverless param', () => {
    for (const v of ref.variables) {
      if (typeof v.source !== 'object') continue;
      const name = cfnParameter(v.source.param);
      expect(cfnParameters[name], `${v.variable}: parameter ${name}`).toBeDefined();
      expect(cfnParameters[name]!.Default, name).toBe(`\${param:${v.source.param}}`);
    }
  });

  it('stack-set and local-only variables have no param; local-only ones are read by no function', () => {
    for (const v of ref.variables.filter((x) => x.source === 'local')) expect(v.readBy, v.variable).toEqual([]);
    for (const v of ref.variables.filter((x) => x.source === 'stack')) expect(v.readBy.length, v.variable).toBeGreaterThan(0);
  });

  it("the documented defaults are the code's own defaults (a deployed default never differs from an unset variable)", () => {
    const env = Object.fromEntries(ref.variables.filter((v) => typeof v.source === 'object').map((v) => [v.variable, v.default]));
    const fromDefaults = loadConfig(env);
    const unset = loadConfig({});
    const pick = (c: ReturnType<typeof loadConfig>) => ({
      defaultMode: c.defaultMode,
      dryRun: c.dryRun,
      watchMinutes: c.watchMinutes,
      maxChangesPerWindow: c.maxChangesPerWindow,
      changeWindowMinutes: c.changeWindowMinutes,
      recentUseDays: c.recentUseDays,
      evidenceTtlDays: c.evidenceTtlDays,
      planTtlHours: c.planTtlHours,
      ecsDescribeRate: c.ecsDescribeRate,
      approvers: c.approvers,
      pullThroughPrefixes: c.pullThroughPrefixes,
      jira: c.jira,
      github: c.github,
      member: c.member,
      cloudTrailLake: c.cloudTrailLake,
      publicBaseUrl: c.publicBaseUrl,
    });
    expect(pick(fromDefaults)).toEqual(pick(unset));
  });

  it('LEASH_MEMBER_WRITE_ROLE_NAME reaches the member configuration only when set', () => {
    const base = { LEASH_MEMBER_ROLE_NAME: 'leash-member', LEASH_MEMBER_EXTERNAL_ID: 'x-1', LEASH_MEMBER_ACCOUNTS: '210987654321' };
    expect(loadConfig(base).member).toEqual({ roleName: 'leash-member', externalId: 'x-1', accounts: ['210987654321'] });
    expect(loadConfig({ ...base, LEASH_MEMBER_WRITE_ROLE_NAME: 'leash-member-write' }).member?.writeRoleName).toBe('leash-member-write');
  });
});
