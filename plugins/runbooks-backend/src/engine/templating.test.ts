import { renderTemplates } from './templating';

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
});
