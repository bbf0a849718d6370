import { describe, expect, it } from 'vitest';
import { inputErrorOf as error } from '../../support/thrown.js';
import { parseCloudTrailFile } from '../../../lib/engine/evidence/index.js';
import { readCorpusText } from '../../support/corpus.js';
import { denied, record } from './fixtures.js';

const a = record({ eventID: 'a' });
const b = denied('Access Denied', { eventID: 'b' });

describe('parseCloudTrailFile', () => {
  it('reads a trail file {"Records": [...]}', () => {
    expect(parseCloudTrailFile(JSON.stringify({ Records: [a, b] }), 'trail.json')).toEqual([a, b]);
  });

  it('reads a JSON array', () => {
    expect(parseCloudTrailFile(JSON.stringify([a, b]), 'x.json')).toEqual([a, b]);
  });

  it('reads JSON lines with blank lines and CRLF', () => {
    const text = `${JSON.stringify(a)}\r\n\r\n${JSON.stringify(b)}\n\n`;
    expect(parseCloudTrailFile(text, 'x.log')).toEqual([a, b]);
  });

  it('reads `aws cloudtrail lookup-events` output (records as JSON strings)', () => {
    const ea07 = readCorpusText('events', 'EA07_elastic_test-get-secret-value-json.log');
    const direct = parseCloudTrailFile(ea07, 'EA07');
    const viaLookup = parseCloudTrailFile(
      JSON.stringify({ Events: [{ EventId: 'f1a49924-6ba3-4340-9d21-bc98f090fc09', EventName: 'GetSecretValue', CloudTrailEvent: ea07 }] }),
      'lookup.json',
    );
    expect(viaLookup).toEqual(direct);
    expect((direct[0] as Record<string, unknown>).eventID).toBe('f1a49924-6ba3-4340-9d21-bc98f090fc09');
  });

  it('unwraps EventBridge envelopes, alone or in an array', () => {
    const env = { version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.secretsmanager', detail: b };
    expect(parseCloudTrailFile(JSON.stringify(env), 'event.json')).toEqual([b]);
    expect(parseCloudTrailFile(JSON.stringify([env, a]), 'events.json')).toEqual([b, a]);
  });

  it('names the file and the line of a bad JSON line', () => {
    const e = error(() => parseCloudTrailFile(`${JSON.stringify(a)}\n\n{"eventName": `, 'bad.log'));
    expect(e.source).toBe('bad.log');
    expect(e.jsonPath).toBe('line 3');
    expect(e.message).toContain('bad.log: line 3:');
  });

  it('names the JSON path of a bad lookup-events entry and of a non-record', () => {
    const e1 = error(() =>
      parseCloudTrailFile(JSON.stringify({ Events: [{ CloudTrailEvent: JSON.stringify(a) }, { CloudTrailEvent: '{nope' }] }), 'l.json'),
    );
    expect(e1.jsonPath).toBe('$.Events[1].CloudTrailEvent');
    expect(e1.cause).toBeInstanceOf(SyntaxError);
    const e2 = error(() => parseCloudTrailFile(JSON.stringify({ Records: [a, 42] }), 't.json'));
    expect(e2.jsonPath).toBe('$.Records[1]');
    const e3 = error(() => parseCloudTrailFile(JSON.stringify([a, { hello: 'world' }]), 'arr.json'));
    expect(e3.jsonPath).toBe('$[1]');
    expect(e3.message).toMatch(/not a CloudTrail record/);
  });

  it('rejects empty files and unknown shapes', () => {
    expect(error(() => parseCloudTrailFile('  \n', 'empty.json')).message).toMatch(/empty file/);
    expect(error(() => parseCloudTrailFile('{"foo": 1}', 'o.json')).message).toMatch(/unrecognized shape/);
    expect(error(() => parseCloudTrailFile('"text"', 's.json')).jsonPath).toBe('$');
  });
});
