// Wrong types at random places of otherwise valid task definitions and policies: parsing must fail with an
// InputError / PolicyError whose JSON path is exactly the place that was broken, and whose message shows it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTaskDefinitions } from '../../lib/engine/input/task-definition.js';
import { parsePolicyDocument } from '../../lib/engine/policy/parse.js';
import type { TaskDefinition } from '../../lib/engine/types.js';
import { InputError, PolicyError } from '../../lib/errors.js';
import { taskDefinition } from './arbitraries.js';

/** Values that are never a string (where a string is required) and never null (which means "absent"). */
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant([1]), fc.constant({ a: 'b' }));
const notAList = fc.oneof(fc.integer(), fc.boolean(), fc.string({ minLength: 1 }), fc.constant({ a: 'b' }));

type Target = { path: string; set: (td: Record<string, unknown>, v: unknown) => void; wrong: fc.Arbitrary<unknown> };

/** Every place in `td` where a string (or list) is required, with the JSON path the parser must report. */
function targets(td: TaskDefinition): Target[] {
  const out: Target[] = [{ path: '$.family', set: (t, v) => (t.family = v), wrong: notAString }];
  td.containerDefinitions.forEach((c, i) => {
    const base = `$.containerDefinitions[${i}]`;
    const ci = (t: Record<string, unknown>) => (t.containerDefinitions as Record<string, unknown>[])[i]!;
    out.push({
      path: base,
      set: (t, v) => ((t.containerDefinitions as unknown[])[i] = v),
      wrong: notAString.filter((v) => typeof v !== 'object' || Array.isArray(v)),
    });
    out.push({ path: `${base}.image`, set: (t, v) => (ci(t).image = v), wrong: notAString });
    out.push({ path: `${base}.secrets`, set: (t, v) => (ci(t).secrets = v), wrong: notAList });
    (c.secrets ?? []).forEach((_, j) => {
      out.push({
        path: `${base}.secrets[${j}].valueFrom`,
        set: (t, v) => ((ci(t).secrets as Record<string, unknown>[])[j]!.valueFrom = v),
        wrong: notAString,
      });
    });
    const options = c.logConfiguration?.options ?? {};
    for (const key of Object.keys(options)) {
      const member = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
      out.push({
        path: `${base}.logConfiguration.options${member}`,
        set: (t, v) => (((ci(t).logConfiguration as Record<string, unknown>).options as Record<string, unknown>)[key] = v),
        wrong: notAString,
      });
    }
    (c.environmentFiles ?? []).forEach((_, k) => {
      out.push({
        path: `${base}.environmentFiles[${k}].value`,
        set: (t, v) => ((ci(t).environmentFiles as Record<string, unknown>[])[k]!.value = v),
        wrong: notAString,
      });
    });
  });
  return out;
}

const brokenTaskDefinition = taskDefinition.chain((td) =>
  fc.integer({ min: 0, max: targets(td).length - 1 }).chain((k) => {
    const t = targets(td)[k]!;
    return t.wrong.map((v) => {
      const copy = JSON.parse(JSON.stringify(td)) as Record<string, unknown>; // not structuredClone: it keeps shared references
      t.set(copy, v);
      return { text: JSON.stringify(copy), path: t.path };
    });
  }),
);

describe('malformed task definitions', () => {
  it('a wrong type anywhere is an InputError naming the file and that exact JSON path', () => {
    fc.assert(
      fc.property(brokenTaskDefinition, ({ text, path }) => {
        let thrown: unknown;
        try {
          parseTaskDefinitions(text, 'fuzz.json');
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(InputError);
        const err = thrown as InputError;
        expect(err.source).toBe('fuzz.json');
        expect(err.jsonPath).toBe(path);
        expect(err.message).toContain(`fuzz.json: ${path}: `);
      }),
      { numRuns: 400, seed: 42 },
    );
  });
});

// --- policies ---

const action = fc.constantFrom('ecr:BatchGetImage', 'logs:PutLogEvents', 's3:GetObject', 'kms:Decrypt', 'ssm:*', '*');
const resource = fc.constantFrom('*', 'arn:aws:s3:::bucket/key', 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*');
const oneOrMany = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.array(a, { minLength: 1, maxLength: 3 }));
const statement = fc.record(
  {
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: oneOrMany(action),
    Resource: oneOrMany(resource),
    Condition: fc.constant({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
  },
  { requiredKeys: ['Effect', 'Action', 'Resource'] },
);
const policy = fc.record({ Version: fc.constant('2012-10-17'), Statement: fc.array(statement, { minLength: 1, maxLength: 4 }) });

type Broken = { doc: unknown; path: string };
const brokenPolicy: fc.Arbitrary<Broken> = policy.chain((p) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: p.Statement.length - 1 }),
      fc.constantFrom('Effect', 'Action', 'Resource', 'Condition', 'Version'),
      fc.integer({ min: -5, max: 5 }),
    )
    .map(([i, field, n]): Broken => {
      const doc = structuredClone(p) as { Version: unknown; Statement: Record<string, unknown>[] };
      if (field === 'Version') {
        doc.Version = n;
        return { doc, path: '$.Version' };
      }
      // A number is wrong for all of these (Effect wants Allow/Deny, lists want strings, Condition an object).
      doc.Statement[i]![field] = n;
      return { doc, path: `$.Statement[${i}].${field}` };
    }),
);

describe('malformed policies', () => {
  it('a wrong type is a PolicyError at that path, whether the document is an object, JSON or URL-encoded JSON', () => {
    fc.assert(
      fc.property(brokenPolicy, fc.constantFrom('object', 'json', 'url'), ({ doc, path }, form) => {
        const raw = form === 'object' ? doc : form === 'json' ? JSON.stringify(doc) : encodeURIComponent(JSON.stringify(doc));
        let thrown: unknown;
        try {
          parsePolicyDocument(raw, 'iam:role/web-exec#policy');
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(PolicyError);
        expect((thrown as PolicyError).jsonPath).toBe(path);
        expect((thrown as PolicyError).message).toContain(`iam:role/web-exec#policy: ${path}: `);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('the unbroken documents parse (the generator is not producing failures by itself)', () => {
    fc.assert(
      fc.property(policy, (p) => {
        expect(parsePolicyDocument(JSON.stringify(p), 'x').Statement).toHaveLength(p.Statement.length);
      }),
      { numRuns: 100, seed: 9 },
    );
    fc.assert(
      fc.property(taskDefinition, (td) => {
        expect(parseTaskDefinitions(JSON.stringify(td), 'fuzz.json')).toHaveLength(1);
      }),
      { numRuns: 100, seed: 9 },
    );
  });
});
