// Reads CloudTrail records from the shapes they are found in: trail files, arrays, JSON lines,
// `aws cloudtrail lookup-events` output and EventBridge envelopes.
import { InputError } from '../../errors.js';
import { obj, unwrapEnvelope, type Json } from './record-fields.js';

function looksLikeRecord(x: Json): boolean {
  return 'eventSource' in x || 'eventName' in x || 'userIdentity' in x;
}

function record(x: unknown, source: string, path: string): Json {
  const o = obj(x);
  if (!o) throw new InputError('not a JSON object, so not a CloudTrail record', source, path);
  const r = unwrapEnvelope(o);
  if (!looksLikeRecord(r)) {
    throw new InputError('not a CloudTrail record (no eventSource, eventName or userIdentity)', source, path);
  }
  return r;
}

function fromDocument(doc: unknown, source: string): Json[] {
  if (Array.isArray(doc)) return doc.map((x, i) => record(x, source, `$[${i}]`));
  const o = obj(doc);
  if (!o) throw new InputError('expected an object or an array of CloudTrail records', source, '$');
  if (Array.isArray(o.Records)) return o.Records.map((x, i) => record(x, source, `$.Records[${i}]`));
  if (Array.isArray(o.Events)) {
    // lookup-events output: each event carries the record as a JSON string.
    return o.Events.map((ev, i) => {
      const text = obj(ev)?.CloudTrailEvent;
      const path = `$.Events[${i}].CloudTrailEvent`;
      if (typeof text !== 'string') throw new InputError('missing CloudTrailEvent string', source, path);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        throw new InputError('CloudTrailEvent is not valid JSON', source, path, { cause });
      }
      return record(parsed, source, path);
    });
  }
  if ('status_code' in o && 'data' in o) {
    throw new InputError(
      'a recorded API response (placebo status_code/data), not a CloudTrail record; it holds no userIdentity or errorCode',
      source,
      '$',
    );
  }
  if (looksLikeRecord(unwrapEnvelope(o))) return [record(o, source, '$')];
  throw new InputError('unrecognized shape: expected Records[], Events[], an array, an EventBridge event or JSON lines', source, '$');
}

function fromJsonLines(text: string, source: string): Json[] {
  const out: Json[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      throw new InputError('not valid JSON (file is neither one JSON document nor JSON lines)', source, `line ${i + 1}`, { cause });
    }
    out.push(record(parsed, source, `line ${i + 1}`));
  });
  return out;
}

/** Every CloudTrail record in `text`; InputError names `source` and the JSON path or line that is wrong. */
export function parseCloudTrailFile(text: string, source: string): unknown[] {
  if (text.trim() === '') throw new InputError('empty file', source, '$');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fromJsonLines(text, source);
  }
  return fromDocument(doc, source);
}
