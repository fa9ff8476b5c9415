import type { RiskProfile } from '../src/core/risk.js';
declare const profile: RiskProfile;
export default profile;
