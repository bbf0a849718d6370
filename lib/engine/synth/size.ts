// Size accounting lives with the policy model; synthesis re-exports it for its callers.
export { INLINE_POLICY_BUDGET, MANAGED_POLICY_LIMIT, policySize } from '../policy/size.js';
