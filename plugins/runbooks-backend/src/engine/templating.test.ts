import { containsTemplate, renderTemplates } from './templating';

describe('renderTemplates', () => {
  const context = {
    target: {
      metadata: { name: 'kafka-prod-01' },
      spec: { nodes: ['a', 'b'] },
    },
    parameters: { version: '3.7.1', count: 3 },
  };

  it('renders strings and keeps the type of a lone expression', () => {
    expect(
      renderTemplates(
        {
          message:
            'patch ${{ target.metadata.name }} to ${{ parameters.version }}',
          nodes: '${{ target.spec.nodes }}',
          count: '${{ parameters.count }}',
          nested: [
            {
              plain: 'no template',
              upper: '${{ target.metadata.name | upper }}',
            },
          ],
        },
        context,
      ),
    ).toEqual({
      message: 'patch kafka-prod-01 to 3.7.1',
      nodes: ['a', 'b'],
      count: 3,
      nested: [{ plain: 'no template', upper: 'KAFKA-PROD-01' }],
    });
  });

  it.each([
    [
      'constructor access',
      '${{ target.constructor.constructor("return process")() }}',
    ],
    ['prototype access', '${{ target.__proto__ }}'],
    ['a huge loop', '{% for i in range(0, 100000000) %}x{% endfor %}'],
  ])('refuses %s with an input error', (_name, template) => {
    expect(() => renderTemplates({ x: template }, context)).toThrow(
      /Template in input.x failed/,
    );
  });

  it('does not evaluate JavaScript in parameters', () => {
    const evil = { parameters: { version: '${{ 7 * 7 }}; $(reboot)' } };
    // a parameter's value is data: its own ${{ }} is not rendered again
    expect(renderTemplates({ v: '${{ parameters.version }}' }, evil)).toEqual({
      v: '${{ 7 * 7 }}; $(reboot)',
    });
  });

  describe('treats values from the context as data, rendering once', () => {
    const secret = 'S3cr3t-kafka-admin';
    const payloads = [
      '${{ secrets.kafkaAdmin }}',
      '${{ secrets["kafkaAdmin"] | upper }}',
      '{% for k, v in secrets %}${{ v }}{% endfor %}',
      '{% if true %}${{ secrets.kafkaAdmin }}{% endif %}',
      '{{ lookup("pipe", "id > /tmp/marker; echo injected") }}',
      '{% raw %}${{ secrets.kafkaAdmin }}{% endraw %}',
    ];
    const hostile = (payload: string) => ({
      target: {
        metadata: {
          name: 'kafka-prod-01',
          description: payload,
          labels: { ticket: payload },
        },
      },
      parameters: { reason: payload, nested: { list: [payload] } },
      steps: { a: { output: { x: payload, obj: { y: payload } } } },
      secrets: { kafkaAdmin: secret },
    });

    it.each(payloads)('%s comes out literally', payload => {
      const input = {
        lone: '${{ parameters.reason }}',
        padded: '  ${{ parameters.reason }}  ',
        longer:
          'rotated (${{ parameters.reason }}) on ${{ target.metadata.name }}',
        twice: '${{ parameters.reason }}${{ parameters.reason }}',
        description: '${{ target.metadata.description }}',
        label: 'label: ${{ target.metadata.labels.ticket }}',
        output: '${{ steps.a.output.x }}',
        outputInText: 'previous said ${{ steps.a.output.x }}',
        outputObject: '${{ steps.a.output.obj }}',
        nested: '${{ parameters.nested }}',
        inLoop: '{% for x in parameters.nested.list %}[${{ x }}]{% endfor %}',
        filtered: '${{ parameters.reason | trim }}',
      };
      const rendered = renderTemplates(input, hostile(payload));
      expect(rendered).toEqual({
        lone: payload,
        padded: payload,
        longer: `rotated (${payload}) on kafka-prod-01`,
        twice: `${payload}${payload}`,
        description: payload,
        label: `label: ${payload}`,
        output: payload,
        outputInText: `previous said ${payload}`,
        outputObject: { y: payload },
        nested: { list: [payload] },
        inLoop: `[${payload}]`,
        filtered: payload,
      });
      expect(JSON.stringify(rendered)).not.toContain(secret);
    });

    it('renders the runbook text itself, so the comparison above can fail', () => {
      // the same payloads written by the runbook author are templates
      expect(
        renderTemplates(
          { a: '${{ secrets.kafkaAdmin }}', b: 'x ${{ secrets.kafkaAdmin }}' },
          hostile('ignored'),
        ),
      ).toEqual({ a: secret, b: `x ${secret}` });
    });
  });

  describe('containsTemplate', () => {
    it.each([
      ['${{ parameters.x }}', true],
      ['echo ${{ parameters.x }}', true],
      ['{% if x %}y{% endif %}', true],
      [['restart', 'x ${{ parameters.x }}'], true],
      [{ a: { b: ['${{ x }}'] } }, true],
      ['{{ jinja is not ours }}', false],
      ['echo $HOME ${HOME} {}', false],
      [['systemctl', 'restart', 'kafka'], false],
      [{ a: 1, b: [true, null] }, false],
    ])('%j -> %s', (value, expected) => {
      expect(containsTemplate(value)).toBe(expected);
    });

    it('is exactly what renderTemplates renders: other text comes back as is', () => {
      const input = {
        a: '{{ jinja is not ours }}',
        b: 'echo $HOME ${HOME} {} {# #}',
        c: ['systemctl', 'restart', 'kafka'],
      };
      expect(containsTemplate(input)).toBe(false);
      expect(renderTemplates(input, {})).toEqual(input);
    });
  });
});
