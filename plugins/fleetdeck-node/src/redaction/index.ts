export { assertRedactable, MIN_SECRET_LENGTH, REDACTED } from './secretForms';
export { Redactor } from './Redactor';
export { StreamRedactor } from './StreamRedactor';
export { redactingLogger } from './redactingLogger';
