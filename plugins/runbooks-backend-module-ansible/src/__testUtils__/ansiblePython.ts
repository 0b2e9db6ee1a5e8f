import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';

/**
 * The Python interpreter ansible-playbook runs with (its shebang), as an
 * argument vector: the tests read YAML with it, the way Ansible does.
 */
export function ansiblePython(): string[] {
  const ansiblePlaybook = execFileSync('sh', [
    '-c',
    'command -v ansible-playbook',
  ])
    .toString()
    .trim();
  if (!ansiblePlaybook)
    throw new Error(
      'ansible-playbook is missing: apt-get install ansible-core',
    );
  return readFileSync(ansiblePlaybook, 'utf8')
    .split('\n')[0]
    .replace(/^#!\s*/, '')
    .split(' ')
    .filter(Boolean);
}

/** Runs a Python script with Ansible's interpreter, stdin in, stdout out. */
export function runAnsiblePython(script: string, input: string): string {
  const [bin, ...args] = ansiblePython();
  return execFileSync(bin, [...args, '-c', script], { input }).toString();
}
