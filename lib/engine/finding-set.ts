// What makes two finding sets "the same" for notification: which (kind, severity, action, resource) are present.
// Reasons and evidence are detail: new evidence for a known finding is recorded but not announced again.
import { canonicalJson, sha256Hex } from './plan/canonical.js';
import type { Finding } from './types.js';

export function findingSetHash(findings: Finding[]): string {
  const identity = [...new Set(findings.map((f) => canonicalJson([f.kind, f.severity, f.action, f.resource])))].sort();
  return sha256Hex(identity.join('\n'));
}
