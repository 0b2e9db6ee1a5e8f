import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, resolve } from 'path';
import yaml from 'yaml';

/** The repository's `templates/` and the stock example template. */
export const templatesDir = resolve(__dirname, '../../../../templates');
export const exampleTemplateDir = resolve(
  __dirname,
  '../../../../examples/template',
);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** A template directory as the body of the scaffolder's dry-run API. */
export function dryRunBody(dir: string, values: Record<string, unknown>) {
  return {
    template: yaml.parse(readFileSync(join(dir, 'template.yaml'), 'utf8')),
    values,
    directoryContents: walk(dir).map(file => ({
      path: relative(dir, file),
      base64Content: readFileSync(file).toString('base64'),
    })),
  };
}

/** Files of a dry-run result, by path. */
export type RenderedFiles = Map<
  string,
  { content: string; executable: boolean }
>;

export function renderedFiles(body: {
  directoryContents: Array<{
    path: string;
    base64Content: string;
    executable?: boolean;
  }>;
}): RenderedFiles {
  return new Map(
    body.directoryContents.map(f => [
      f.path,
      {
        content: Buffer.from(f.base64Content, 'base64').toString('utf8'),
        executable: !!f.executable,
      },
    ]),
  );
}

/** Whether a file in a directory is executable by its owner. */
export function isExecutable(path: string) {
  return (statSync(path).mode & 0o100) !== 0;
}
