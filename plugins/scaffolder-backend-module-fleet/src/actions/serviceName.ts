import { InputError } from '@backstage/errors';

/**
 * Longest service name: `<name>-production` must still fit the 63 characters
 * of a Kubernetes label value (Argo CD Application and Helm release names).
 */
export const MAX_SERVICE_NAME_LENGTH = 52;

/** A DNS label (RFC 1035) in lower case: what Kubernetes needs for a Service name. */
export const SERVICE_NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a new service's name and says precisely what is wrong with it; the
 * template's form checks the same pattern, this is the server-side guard.
 */
export function checkServiceName(name: string): string {
  const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
  if (name.length === 0) {
    throw new InputError('The service name is empty');
  }
  if (name.length > MAX_SERVICE_NAME_LENGTH) {
    throw new InputError(
      `The service name "${shown}" is ${name.length} characters long; at most ${MAX_SERVICE_NAME_LENGTH} are allowed`,
    );
  }
  if (/[/\\]|\.\./.test(name)) {
    throw new InputError(
      `The service name "${shown}" contains a path ('/', '\\' or '..'); use a DNS label such as payments-gateway`,
    );
  }
  if (/[A-Z]/.test(name)) {
    throw new InputError(
      `The service name "${shown}" has upper-case letters; use lower case, e.g. ${name.toLocaleLowerCase(
        'en-US',
      )}`,
    );
  }
  if (!SERVICE_NAME_PATTERN.test(name)) {
    throw new InputError(
      `The service name "${shown}" is not a DNS label: lower-case letters, digits and '-', starting with a letter and not ending with '-'`,
    );
  }
  return name;
}
