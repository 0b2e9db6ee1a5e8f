import { runAnsiblePython } from './__testUtils__/ansiblePython';
import { toYaml } from './unsafeYaml';

/**
 * Parses YAML with Ansible's own loader (the Python ansible-playbook runs
 * with) and reports the value and every string that is NOT marked unsafe.
 */
function ansibleLoad(yaml: string): { value: unknown; plain: string[] } {
  const script = `
import json, sys
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.utils.unsafe_proxy import AnsibleUnsafe
value = AnsibleLoader(sys.stdin.read()).get_single_data()
plain = []
def walk(v):
    if isinstance(v, str):
        if not isinstance(v, AnsibleUnsafe):
            plain.append(v)
    elif isinstance(v, dict):
        for k, x in v.items():
            walk(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(value)
print(json.dumps({"value": value, "plain": plain}))
`;
  return JSON.parse(runAnsiblePython(script, yaml));
}

const payload = '{{ lookup("pipe", "id > /tmp/marker; echo injected") }}';

const hostile = {
  reason: payload,
  quotes: `it's "quoted" \\ back\\slash`,
  whitespace: ' lead\ttab\nnew line\r\n  trail ',
  unicode: 'Müller 日本 😀 \u2028\u2029\u0085 \u0000\u0007\u007f\u009f',
  yamlish: [
    'yes',
    'no',
    'on',
    'off',
    'null',
    '~',
    '1e3',
    '0x1F',
    '010',
    '- item',
    '? key',
    '*alias',
    '&anchor',
    '!!python/object/apply:os.system ["id"]',
    '!unsafe',
    '%YAML 1.1',
    '---',
    '...',
    '#comment',
    '{a: 1}',
    '[1, 2]',
    ': colon',
    '',
  ],
  jinja: [
    '{% for x in range(3) %}x{% endfor %}',
    '{# c #}',
    '${{ secrets.X }}',
  ],
  [payload]: { [`key ${payload}`]: [payload, { deep: payload }] },
  numbers: [0, -1, 42, 3.14, -0.5, 1e21, 1.5e-7, 5e-7, 2 ** 53, -0],
  booleans: [true, false],
  nothing: null,
  empty: { map: {}, list: [] },
};

describe('toYaml', () => {
  it('writes data Ansible reads back unchanged, every string (keys too) unsafe', () => {
    const yaml = toYaml(hostile, { unsafe: true, path: 'extraVars' });
    const { value, plain } = ansibleLoad(yaml);
    expect(value).toEqual({
      ...hostile,
      // lone surrogates cannot be written; everything else is unchanged
      numbers: [0, -1, 42, 3.14, -0.5, 1e21, 1.5e-7, 5e-7, 2 ** 53, 0],
    });
    expect(plain).toEqual([]);
    // typed values stay typed (not strings)
    expect(typeof (value as any).numbers[3]).toBe('number');
    expect((value as any).booleans).toEqual([true, false]);
  });

  it('writes plain strings for trusted operator config', () => {
    const { value, plain } = ansibleLoad(
      toYaml(
        { ansible_python_interpreter: '/usr/bin/python3', n: 1 },
        { unsafe: false, path: 'x' },
      ),
    );
    expect(value).toEqual({
      ansible_python_interpreter: '/usr/bin/python3',
      n: 1,
    });
    expect(plain).toEqual([
      'ansible_python_interpreter',
      '/usr/bin/python3',
      'n',
    ]);
  });

  it('replaces lone surrogates, and refuses what Ansible cannot read', () => {
    expect(
      ansibleLoad(toYaml('a\ud800b', { unsafe: true, path: 'x' })).value,
    ).toBe('a\ufffdb');
    expect(() =>
      toYaml({ a: [Infinity] }, { unsafe: true, path: 'extraVars' }),
    ).toThrow('extraVars.a[0] is not a finite number');
    expect(() =>
      toYaml({ when: new Date(0) }, { unsafe: true, path: 'extraVars' }),
    ).toThrow('extraVars.when cannot be passed to Ansible');
  });
});
