// IAM Access Analyzer's policy checks: ValidatePolicy (blocking finding types only) and CheckNoNewAccess.
import { CheckNoNewAccessCommand, ValidatePolicyCommand, type AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { AccessAnalyzer } from '../../app/ports.js';
import type { PolicyDocument } from '../../engine/types.js';
import { call } from './sdk-call.js';

const BLOCKING = new Set(['ERROR', 'SECURITY_WARNING']);

export class AwsAccessAnalyzer implements AccessAnalyzer {
  constructor(private readonly client: AccessAnalyzerClient) {}

  async validatePolicy(document: PolicyDocument): Promise<string[]> {
    const problems: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await call('accessanalyzer', 'ValidatePolicy', () =>
        this.client.send(new ValidatePolicyCommand({ policyDocument: JSON.stringify(document), policyType: 'IDENTITY_POLICY', nextToken })),
      );
      for (const f of res.findings ?? []) {
        if (BLOCKING.has(f.findingType ?? '')) problems.push(`ValidatePolicy ${f.findingType} ${f.issueCode}: ${f.findingDetails}`);
      }
      nextToken = res.nextToken;
    } while (nextToken);
    return problems;
  }

  async checkNoNewAccess(existing: PolicyDocument, next: PolicyDocument): Promise<string[]> {
    const res = await call('accessanalyzer', 'CheckNoNewAccess', () =>
      this.client.send(
        new CheckNoNewAccessCommand({
          existingPolicyDocument: JSON.stringify(existing),
          newPolicyDocument: JSON.stringify(next),
          policyType: 'IDENTITY_POLICY',
        }),
      ),
    );
    if (res.result === 'PASS') return [];
    const reasons = (res.reasons ?? []).map(
      (r) => `${r.description ?? ''}${r.statementIndex !== undefined ? ` (statement ${r.statementIndex})` : ''}`,
    );
    return [`CheckNoNewAccess ${res.result ?? 'no result'}: ${[res.message, ...reasons].filter(Boolean).join('; ')}`];
  }
}
