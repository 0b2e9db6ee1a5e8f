export { RunParametersForm } from './RunParametersForm';
export type { RunParametersFormProps } from './RunParametersForm';
export { extractUiSchema, secretParameterNames } from './extractUiSchema';
