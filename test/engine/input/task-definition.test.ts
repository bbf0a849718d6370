import { describe, expect, it } from 'vitest';
import { inputErrorOf as errorOf } from '../../support/thrown.js';
import { findJsonErrorOffset } from '../../../lib/engine/input/json-location.js';
import { normalizeTaskDefinition, parseTaskDefinitions } from '../../../lib/engine/input/task-definition.js';
import { readCorpusText } from '../../support/corpus.js';

const bare = {
  family: 'web',
  revision: 4,
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  containerDefinitions: [{ name: 'app', image: 'nginx' }],
};

describe('parseTaskDefinitions: accepted shapes', () => {
  it('a bare task definition / register-task-definition --cli-input-json input', () => {
    const input = { ...bare, tags: [{ key: 'k', value: 'v' }], requiresCompatibilities: ['FARGATE'] };
    const [one, ...rest] = parseTaskDefinitions(JSON.stringify(input), 'in.json');
    expect(rest).toHaveLength(0);
    expect(one!.source).toBe('in.json');
    expect(one!.taskDefinition.family).toBe('web');
    expect(one!.taskDefinition.containerDefinitions[0]!.image).toBe('nginx');
  });

  it('describe-task-definition output with tags', () => {
    const text = JSON.stringify({
      taskDefinition: { ...bare, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:4' },
      tags: [],
    });
    expect(parseTaskDefinitions(text, 'd.json')[0]!.taskDefinition.taskDefinitionArn).toBe(
      'arn:aws:ecs:us-east-1:123456789012:task-definition/web:4',
    );
  });

  it('a RegisterTaskDefinition response', () => {
    expect(parseTaskDefinitions(JSON.stringify({ taskDefinition: bare }), 'r.json')[0]!.taskDefinition.revision).toBe(4);
  });

  it('a placebo-recorded response (status_code/data)', () => {
    const text = JSON.stringify({ status_code: 200, data: { taskDefinition: bare, ResponseMetadata: {} } });
    expect(parseTaskDefinitions(text, 'p.json')[0]!.taskDefinition.family).toBe('web');
  });

  it('a JSON array of mixed shapes, in order', () => {
    const text = JSON.stringify([
      bare,
      { taskDefinition: { ...bare, family: 'b' } },
      { status_code: 200, data: { taskDefinition: { ...bare, family: 'c' } } },
    ]);
    expect(parseTaskDefinitions(text, 'a.json').map((t) => t.taskDefinition.family)).toEqual(['web', 'b', 'c']);
  });

  it('a UTF-8 BOM is ignored', () => {
    expect(parseTaskDefinitions(`\uFEFF${JSON.stringify(bare)}`, 'bom.json')).toHaveLength(1);
  });

  it('null members (as some exports write them) are dropped, role ARNs keep null', () => {
    const text = JSON.stringify({
      ...bare,
      taskRoleArn: null,
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx',
          secrets: null,
          environmentFiles: null,
          firelensConfiguration: null,
          logConfiguration: { logDriver: 'awslogs', secretOptions: null, options: { 'awslogs-group': 'g' } },
        },
      ],
    });
    const t = parseTaskDefinitions(text, 'n.json')[0]!.taskDefinition;
    const c = t.containerDefinitions[0]!;
    expect(t.taskRoleArn).toBeNull();
    expect('secrets' in c).toBe(false);
    expect('environmentFiles' in c).toBe(false);
    expect('firelensConfiguration' in c).toBe(false);
    expect('secretOptions' in c.logConfiguration!).toBe(false);
    expect(c.logConfiguration!.options).toEqual({ 'awslogs-group': 'g' });
  });

  it('reads every .json file of the corpus', () => {
    // All 29 JSON files hold exactly one task definition each (SOURCES.md "form" column).
    const files = [
      'A01_aws-containers-task-definitions_nginx_fargate.json',
      'A11_c7n-placebo_dev-redash-server_75.json',
      'A28_samlesiden_task-definition.json',
    ];
    for (const f of files) expect(parseTaskDefinitions(readCorpusText('task-definitions', f), f)).toHaveLength(1);
  });
});

describe('parseTaskDefinitions: rejected input', () => {
  it('a CloudFormation YAML template (corpus A17) names the file and says what to do', () => {
    const name = 'A17_copilot-cli_job-test.stack.yml';
    const e = errorOf(() => parseTaskDefinitions(readCorpusText('task-definitions', name), name));
    expect(e.message).toBe(
      `${name}: $: this is a CloudFormation template (AWS::ECS::TaskDefinition); export the task definition with aws ecs describe-task-definition`,
    );
    expect(e.name).toBe('InputError');
    expect(e.source).toBe(name);
    expect(e.jsonPath).toBe('$');
  });

  it('a CloudFormation template in JSON', () => {
    const text = JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { T: { Type: 'AWS::ECS::TaskDefinition' } } });
    expect(errorOf(() => parseTaskDefinitions(text, 'cfn.json')).message).toMatch(/^cfn\.json: \$: this is a CloudFormation template/);
  });

  it('an object without containerDefinitions', () => {
    const e = errorOf(() => parseTaskDefinitions('{"family":"x"}', 'x.json'));
    expect(e.message).toBe('x.json: $: not a task definition: it has no containerDefinitions');
  });

  it('invalid JSON reports line and column and keeps the cause', () => {
    const e = errorOf(() => parseTaskDefinitions('{\n  "family": "x",\n  "containerDefinitions" []\n}', 'bad.json'));
    expect(e.message).toBe('bad.json: $: invalid JSON at line 3, column 26');
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it('truncated JSON points at the end', () => {
    expect(errorOf(() => parseTaskDefinitions('{"a": [1,', 't.json')).message).toBe('t.json: $: invalid JSON at line 1, column 10');
  });

  it('a wrong type names the JSON path', () => {
    const text = JSON.stringify({
      containerDefinitions: [{}, {}, { secrets: [{ name: 'A', valueFrom: 42 }] }],
    });
    expect(errorOf(() => parseTaskDefinitions(text, 'x.json')).message).toBe(
      'x.json: $.containerDefinitions[2].secrets[0].valueFrom: expected a string, got number',
    );
  });

  it('paths include the wrapper and array index', () => {
    const text = JSON.stringify([
      bare,
      { taskDefinition: { ...bare, containerDefinitions: [{ logConfiguration: { options: { 'awslogs-create-group': true } } }] } },
    ]);
    expect(errorOf(() => parseTaskDefinitions(text, 'w.json')).jsonPath).toBe(
      '$[1].taskDefinition.containerDefinitions[0].logConfiguration.options["awslogs-create-group"]',
    );
  });

  it.each([
    [{ ...bare, containerDefinitions: {} }, '$.containerDefinitions', 'expected an array, got object'],
    [{ ...bare, executionRoleArn: 5 }, '$.executionRoleArn', 'expected a string, got number'],
    [{ ...bare, requiresCompatibilities: 'FARGATE' }, '$.requiresCompatibilities', 'expected an array, got string'],
    [{ ...bare, containerDefinitions: [{ image: ['x'] }] }, '$.containerDefinitions[0].image', 'expected a string, got array'],
    [
      { ...bare, containerDefinitions: [{ environmentFiles: [{ type: 's3', value: null }, 'x'] }] },
      '$.containerDefinitions[0].environmentFiles[1]',
      'expected an object, got string',
    ],
    [
      { ...bare, containerDefinitions: [{ credentialSpecs: [1] }] },
      '$.containerDefinitions[0].credentialSpecs[0]',
      'expected a string, got number',
    ],
    [
      { ...bare, containerDefinitions: [{ repositoryCredentials: { credentialsParameter: {} } }] },
      '$.containerDefinitions[0].repositoryCredentials.credentialsParameter',
      'expected a string, got object',
    ],
    [
      { ...bare, containerDefinitions: [{ firelensConfiguration: { options: { 'config-file-type': 1 } } }] },
      '$.containerDefinitions[0].firelensConfiguration.options["config-file-type"]',
      'expected a string, got number',
    ],
  ])('type check %#', (value, path, message) => {
    const e = errorOf(() => parseTaskDefinitions(JSON.stringify(value), 'v.json'));
    expect(e.jsonPath).toBe(path);
    expect(e.message).toBe(`v.json: ${path}: ${message}`);
  });

  it('a recorded error response', () => {
    const e = errorOf(() => parseTaskDefinitions(JSON.stringify({ status_code: 400, data: {} }), 'e.json'));
    expect(e.jsonPath).toBe('$.status_code');
  });

  it('non-object array items and empty arrays', () => {
    expect(errorOf(() => parseTaskDefinitions('[1]', 'n.json')).message).toBe(
      'n.json: $[0]: expected a task definition object, got number',
    );
    expect(errorOf(() => parseTaskDefinitions('[]', 'n.json')).jsonPath).toBe('$');
  });
});

describe("Terraform's container_definitions and duplicate names", () => {
  it('a bare JSON array of containers is one task definition with only its containers', () => {
    const text = JSON.stringify([
      { name: 'web', image: 'nginx', essential: true },
      { name: 'log', image: 'fluent-bit' },
    ]);
    const [one, ...rest] = parseTaskDefinitions(text, 'containers.json');
    expect(rest).toEqual([]);
    expect(one!.containersOnly).toBe(true);
    expect(one!.taskDefinition.containerDefinitions.map((c) => c.name)).toEqual(['web', 'log']);
    expect(one!.taskDefinition.executionRoleArn).toBeUndefined();
  });

  it('an array of task definitions is still an array of task definitions', () => {
    const text = JSON.stringify([bare, { ...bare, family: 'other' }]);
    expect(parseTaskDefinitions(text, 'two.json').map((t) => [t.taskDefinition.family, t.containersOnly ?? false])).toEqual([
      ['web', false],
      ['other', false],
    ]);
  });

  it('a wrong type inside a container array names the path', () => {
    expect(errorOf(() => parseTaskDefinitions('[{"name":"web","image":5}]', 'c.json')).jsonPath).toBe('$[0].image');
  });

  it.each([
    [
      { ...bare, containerDefinitions: [{ name: 'app', image: 'a' }, { name: 'side' }, { name: 'app', image: 'b' }] },
      '$.containerDefinitions[2].name',
    ],
    [
      { taskDefinition: { ...bare, containerDefinitions: [{ name: 'x' }, { name: 'x' }] } },
      '$.taskDefinition.containerDefinitions[1].name',
    ],
    [
      [
        { name: 'web', image: 'a' },
        { name: 'web', image: 'b' },
      ],
      '$[1].name',
    ],
  ])('duplicate container names are refused, as ECS refuses them (%#)', (value, path) => {
    const err = errorOf(() => parseTaskDefinitions(JSON.stringify(value), 'dup.json'));
    expect(err.jsonPath).toBe(path);
    expect(err.message).toMatch(/duplicate container name/);
  });
});

describe('normalizeTaskDefinition', () => {
  it('uses the given path for SDK/event objects', () => {
    const e = errorOf(() =>
      normalizeTaskDefinition({ containerDefinitions: [{ name: 7 }] }, 'event-1', '$.detail.responseElements.taskDefinition'),
    );
    expect(e.message).toBe('event-1: $.detail.responseElements.taskDefinition.containerDefinitions[0].name: expected a string, got number');
  });

  it('keeps fields it does not read', () => {
    const t = normalizeTaskDefinition({ ...bare, proxyConfiguration: { type: 'APPMESH' } }, 'sdk');
    expect(t.proxyConfiguration).toEqual({ type: 'APPMESH' });
  });
});

describe('findJsonErrorOffset', () => {
  it('is undefined for valid JSON', () => {
    expect(findJsonErrorOffset('{"a":[1,2.5e3,"x\\u00e9",true,false,null]}')).toBeUndefined();
  });

  it('finds trailing garbage and bad escapes', () => {
    expect(findJsonErrorOffset('{} x')).toBe(3);
    expect(findJsonErrorOffset('"\\q"')).toBe(2);
  });
});
