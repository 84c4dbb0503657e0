// One ID (issue 3). So far: normalising identifier values and validating VINs; resolution follows.
export { isJunkIdentifier, normalizeEmail, normalizePhone, type PhoneResult } from './normalize.js';
export { parseVin, requireVin, vinCheckDigit, type VinProblem } from './vin.js';
