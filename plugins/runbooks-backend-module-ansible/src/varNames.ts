import { InputError } from '@backstage/errors';

/**
 * Names a step's input may not give a variable. Extra vars override every
 * other variable, so a value under one of these names, from a parameter or an
 * entity field, would change how Ansible connects or what it runs, not what a
 * playbook works on (`ansible_ssh_common_args: -o ProxyCommand=...`,
 * `ansible_python_interpreter`, `ansible_become_exe`, `ansible_connection`).
 */
const reservedPrefixes = [
  // connection, become, shell and interpreter settings, and facts
  'ansible_',
  // what the executor itself sets for the playbook
  'fleetdeck_',
];

const reservedNames = new Set([
  // Ansible's magic variables
  'hostvars',
  'groups',
  'group_names',
  'inventory_hostname',
  'inventory_hostname_short',
  'inventory_dir',
  'inventory_file',
  'omit',
  'play_hosts',
  'playbook_dir',
  'role_name',
  'role_names',
  'role_path',
  'environment',
  // play and task keywords (ansible.vars.reserved.get_reserved_names())
  'action',
  'always',
  'any_errors_fatal',
  'args',
  'async',
  'async_val',
  'become',
  'become_exe',
  'become_flags',
  'become_method',
  'become_user',
  'block',
  'changed_when',
  'check_mode',
  'collections',
  'connection',
  'debugger',
  'delay',
  'delegate_facts',
  'delegate_to',
  'diff',
  'fact_path',
  'failed_when',
  'force_handlers',
  'gather_facts',
  'gather_subset',
  'gather_timeout',
  'handlers',
  'hosts',
  'ignore_errors',
  'ignore_unreachable',
  'local_action',
  'loop',
  'loop_control',
  'max_fail_percentage',
  'module_defaults',
  'name',
  'no_log',
  'notify',
  'order',
  'poll',
  'port',
  'post_tasks',
  'pre_tasks',
  'register',
  'remote_user',
  'rescue',
  'retries',
  'roles',
  'run_once',
  'serial',
  'strategy',
  'tags',
  'tasks',
  'throttle',
  'timeout',
  'until',
  'vars',
  'vars_files',
  'vars_prompt',
  'when',
  // Jinja globals of Ansible's templates: a variable would shadow them
  'lookup',
  'query',
  'q',
  'now',
  'undef',
  'range',
  'dict',
  'lipsum',
  'cycler',
  'joiner',
  'namespace',
]);

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Refuses a variable name from a step's input (`extraVars`, `inventoryVars`)
 * that is not a plain identifier, that Ansible or Fleetdeck reserve, or that
 * the operator set in `runbooks.ansible.inventoryVars`.
 */
export function assertStepVarName(
  name: string,
  field: 'extraVars' | 'inventoryVars',
  operatorVars: Record<string, unknown> = {},
) {
  const where = `${field}.${name}`;
  if (!identifier.test(name)) {
    throw new InputError(
      `Invalid ansible step input: ${JSON.stringify(
        name,
      )} in ${field} is not a variable name (letters, digits and _, not starting with a digit)`,
    );
  }
  const lower = name.toLowerCase();
  const prefix = reservedPrefixes.find(p => lower.startsWith(p));
  if (prefix) {
    throw new InputError(
      `Invalid ansible step input: ${where} cannot be set by a step: ${prefix}* variables decide how Ansible connects and runs; the operator sets them in runbooks.ansible.inventoryVars`,
    );
  }
  if (reservedNames.has(name)) {
    throw new InputError(
      `Invalid ansible step input: ${where} cannot be set by a step: '${name}' is reserved by Ansible`,
    );
  }
  if (Object.prototype.hasOwnProperty.call(operatorVars, name)) {
    throw new InputError(
      `Invalid ansible step input: ${where} cannot be set by a step: runbooks.ansible.inventoryVars sets it`,
    );
  }
}
