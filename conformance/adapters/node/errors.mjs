// Errors that travel back to the harness as `{"ok": false, "error": {...}}`.
//
// A rejection is reported by its *error class*, a stable string from the
// registry of spec/00-conventions.md (CONV-004). The requirement ID is only a
// hint for humans (ADP-003); the harness compares classes, never messages.

/** A rule of the spec was broken: carries the error class and the requirement ID. */
export class GritError extends Error {
  /**
   * @param {string} errorClass  e.g. "truncated", "invalid-object" (CONV-004)
   * @param {string} requirement e.g. "ENC-002" (a hint, ADP-003)
   * @param {string} message     free text for humans
   * @param {object} [extra]     more fields for the error object, e.g. `current` (REF-004)
   */
  constructor (errorClass, requirement, message, extra = {}) {
    super(message)
    this.errorClass = errorClass
    this.requirement = requirement
    this.extra = extra
  }
}

/** The request's arguments are malformed (ADP-007): not the implementation's fault. */
export class BadRequest extends Error {}

/** Shorthand used by the codec: `fail('truncated', 'ENC-002', 'input ends early')`. */
export function fail (errorClass, requirement, message, extra) {
  throw new GritError(errorClass, requirement, message, extra)
}
