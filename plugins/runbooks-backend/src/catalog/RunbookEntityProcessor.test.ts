import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import yaml from 'yaml';
import { RunbookEntityProcessor } from './RunbookEntityProcessor';

const examplesDir = join(__dirname, '../../../../examples/runbooks');

describe('RunbookEntityProcessor', () => {
  const processor = new RunbookEntityProcessor();

  it.each(
    readdirSync(examplesDir).filter(d =>
      existsSync(join(examplesDir, d, 'catalog-info.yaml')),
    ),
  )(
    'accepts the demo runbook %s, whose executors and playbooks exist',
    async dir => {
      const entity = yaml.parse(
        readFileSync(join(examplesDir, dir, 'catalog-info.yaml'), 'utf8'),
      );
      await expect(processor.validateEntityKind(entity)).resolves.toBe(true);
      // every step names an executor the demo backend installs
      const installed = ['ansible', 'ssh', 'http', 'tls', 'aap', 'vault'];
      const executors: string[] = entity.spec.steps.map((s: any) => s.executor);
      expect(executors.length).toBeGreaterThan(0);
      expect(executors.filter(e => !installed.includes(e))).toEqual([]);
      const playbooks = entity.spec.steps
        .filter((step: any) => step.executor === 'ansible')
        .map((step: any) => join(examplesDir, dir, step.input.playbook));
      expect(playbooks.filter((p: string) => !existsSync(p))).toEqual([]);
      const emitted: any[] = [];
      await processor.postProcessEntity(
        entity,
        { type: 'file', target: 'x' },
        r => emitted.push(r),
      );
      expect(emitted.map(e => e.relation.type)).toEqual(['ownedBy', 'ownerOf']);
      expect(emitted[0].relation.target).toMatchObject({
        kind: 'group',
        name: entity.spec.owner.split('/')[1],
      });
    },
  );

  it('rejects an invalid runbook with the reason and ignores other kinds', async () => {
    const bad = {
      apiVersion: 'fleetdeck.io/v1alpha1',
      kind: 'Runbook',
      metadata: { name: 'bad' },
      spec: {
        owner: 'group:default/sre',
        targets: { kind: 'Cluster' },
        steps: [],
      },
    };
    await expect(processor.validateEntityKind(bad)).rejects.toThrow(
      /Invalid Runbook bad: .*steps/s,
    );
    await expect(
      processor.validateEntityKind({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'c' },
      }),
    ).resolves.toBe(false);
  });

  it('refuses steps that would turn data into code, saying how to write them', async () => {
    const withStep = (step: object) => ({
      apiVersion: 'fleetdeck.io/v1alpha1',
      kind: 'Runbook',
      metadata: { name: 'r' },
      spec: {
        owner: 'group:default/sre',
        targets: { kind: 'Cluster' },
        steps: [{ id: 'a', ...step }],
      },
    });
    await expect(
      processor.validateEntityKind(
        withStep({
          executor: 'ssh',
          input: { command: 'systemctl restart ${{ parameters.unit }}' },
        }),
      ),
    ).rejects.toThrow(
      "Invalid Runbook: step a: the ssh command must be the runbook's own text; pass values as args or env",
    );
    await expect(
      processor.validateEntityKind(
        withStep({
          executor: 'ansible',
          input: {
            playbook: 'p.yml',
            extraVars: { ansible_ssh_common_args: '-o ProxyCommand=x' },
          },
        }),
      ),
    ).rejects.toThrow(
      /extraVars.ansible_ssh_common_args would change how Ansible connects/,
    );
    // values as arguments are fine
    await expect(
      processor.validateEntityKind(
        withStep({
          executor: 'ssh',
          input: {
            command: 'systemctl restart',
            args: ['${{ parameters.unit }}'],
          },
        }),
      ),
    ).resolves.toBe(true);
  });
});
