// Evidence: CloudTrail denials and uses, ECS stop reasons, and the fold into findings.
export * from './types.js';
export {
  denialFromCloudTrail,
  useFromCloudTrail,
  usesFromCloudTrail,
  DENIAL_ERROR_CODE,
  type RecordOptions,
} from './cloudtrail-records.js';
export { classifyStoppedTask, classifyStopTexts, permissionDetails, FAILED_START_STOP_CODE, type StopText } from './stop-reason.js';
export {
  authenticateStoppedTask,
  parseStoppedTask,
  type StoppedTask,
  type StoppedTaskEvidence,
  type StoppedTaskFacts,
} from './stopped-task.js';
export { claimIsRole, inertText, principalClaims } from './principal-claims.js';
export { parseCloudTrailFile } from './parse-file.js';
export { parseDenialMessage, type ParsedDenialMessage } from './error-message.js';
export { foldEvidence, NO_USE_NOTE, type FoldOptions } from './fold.js';
export { iamGlobMatch, actionMatches, resourceMatches } from './glob.js';
