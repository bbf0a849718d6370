import { describe, expect, it } from 'vitest';
import { EXECUTION_ROLE_VOCABULARY, inVocabulary } from '../../../lib/engine/plan/vocabulary.js';

describe('vocabulary', () => {
  it('holds the 14 execution-role actions', () => {
    expect(EXECUTION_ROLE_VOCABULARY).toHaveLength(14);
    expect(inVocabulary('logs:CreateLogGroup')).toBe(true);
    expect(inVocabulary('ECR:BatchGetImage')).toBe(true); // IAM actions are case-insensitive
  });

  it('rejects other actions and every wildcard', () => {
    expect(inVocabulary('s3:PutObject')).toBe(false);
    expect(inVocabulary('ecr:*')).toBe(false);
    expect(inVocabulary('ecr:BatchGet*')).toBe(false);
    expect(inVocabulary('*')).toBe(false);
  });
});
