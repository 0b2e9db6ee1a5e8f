import { Form } from '@rjsf/material-ui';
import { RJSFValidationError } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { ReactNode, useMemo } from 'react';
import { extractUiSchema, secretParameterNames } from './extractUiSchema';

/** Props of {@link RunParametersForm}. @public */
export interface RunParametersFormProps {
  /** The runbook's parameter schema (JSON schema, `ui:*` keys allowed). */
  parameters?: Record<string, unknown>;
  formData: Record<string, unknown>;
  onChange(formData: Record<string, unknown>): void;
  /** Called with valid data only; invalid forms show the field messages instead. */
  onSubmit(formData: Record<string, unknown>): void;
  /** The submit button(s); rendered inside the form. */
  children: ReactNode;
  disabled?: boolean;
}

// Messages a person can act on, instead of ajv's "must match pattern ...".
function transformErrors(errors: RJSFValidationError[]) {
  return errors.map(error => {
    if (error.name === 'required') {
      return { ...error, message: 'is required' };
    }
    if (error.name === 'pattern' && error.schemaPath) {
      return { ...error, message: `does not match ${error.params?.pattern}` };
    }
    return error;
  });
}

/**
 * The run form generated from a runbook's parameter schema, with the
 * scaffolder's form library (rjsf + Material UI): required fields, enums as
 * selects, secrets as password fields, messages under the field on submit.
 * @public
 */
export function RunParametersForm(props: RunParametersFormProps) {
  const { parameters, formData, onChange, onSubmit, children, disabled } =
    props;
  const { schema, uiSchema } = useMemo(() => {
    const extracted = extractUiSchema(parameters ?? { type: 'object' });
    for (const name of secretParameterNames(parameters)) {
      // The text widget with a password input keeps the field's label.
      const {
        'ui:field': _f,
        'ui:widget': _w,
        ...rest
      } = (extracted.uiSchema[name] as Record<string, unknown>) ?? {};
      extracted.uiSchema[name] = {
        ...rest,
        'ui:options': { inputType: 'password' },
      };
    }
    return extracted;
  }, [parameters]);

  return (
    <Form
      schema={schema}
      uiSchema={uiSchema}
      formData={formData}
      validator={validator}
      showErrorList={false}
      noHtml5Validate
      transformErrors={transformErrors}
      disabled={disabled}
      onChange={e => onChange(e.formData ?? {})}
      onSubmit={e => onSubmit(e.formData ?? {})}
    >
      {children}
    </Form>
  );
}
