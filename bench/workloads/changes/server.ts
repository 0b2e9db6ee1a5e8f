/*
 * The fake GitHub of the apply benchmark, in a process of its own so that
 * neither side under test shares its event loop or CPU accounting with the
 * server: real git over smart HTTP (`git http-backend`) and the pulls API.
 *
 *   server.ts <repos> <owner>
 *
 * Creates <repos> repositories (the first committed, the rest copies of it),
 * prints one JSON line { url, apiBaseUrl, token, gitRoot }, then answers
 * each line on stdin: `stats` prints { pushes, pulls, requests, spawns,
 * cpuMs } (spawns and CPU since the previous `stats`); end of input stops it.
 */
import { FakeGitHubServer } from '@fleetdeck/backend-test-utils';
import { cp } from 'fs/promises';
import { createInterface } from 'readline';
import { mapLimited, startProfile, stopProfile, treeCpuMs } from './shared';

const [reposArg = '300', OWNER = 'bank'] = process.argv.slice(2);
const REPOS = Number(reposArg);
export const repoName = (i: number) => `svc-${String(i).padStart(3, '0')}`;

const packageJson = `${JSON.stringify(
  {
    name: 'service',
    version: '1.0.0',
    private: true,
    scripts: { start: 'node index.js' },
    dependencies: { express: '4.18.2', zod: '3.22.0' },
  },
  null,
  2,
)}\n`;
const files = {
  'package.json': packageJson,
  Dockerfile:
    'FROM node:18-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\n' +
    'FROM node:18-alpine\nWORKDIR /app\nCOPY --from=build /app .\nCMD ["node", "index.js"]\n',
  'README.md': '# service\n',
  'index.js':
    "const express = require('express');\nexpress().listen(process.env.PORT ?? 8080);\n",
};

/** Repositories after the first are directory copies of it (not six git processes each). */
class BenchGitHub extends FakeGitHubServer {
  private template?: string;

  protected async createBareRepository(
    path: string,
    content: Record<string, string>,
    defaultBranch: string,
  ): Promise<void> {
    if (!this.template) {
      await super.createBareRepository(path, content, defaultBranch);
      this.template = this.gitDir(path);
      return;
    }
    await cp(this.template, this.gitDir(path), { recursive: true });
  }
}

async function main() {
  const github = new BenchGitHub();
  await github.start();
  await mapLimited(
    Array.from({ length: REPOS }, (_, i) => i),
    8,
    i => github.createRepository(OWNER, repoName(i), files),
  );
  startProfile();
  let cpuBefore = treeCpuMs();
  console.log(
    JSON.stringify({
      url: github.url,
      apiBaseUrl: github.apiBaseUrl,
      token: github.token,
      gitRoot: github.gitDir('').replace(/\.git$/, ''),
    }),
  );
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== 'stats') continue;
    const cpuMs = treeCpuMs() - cpuBefore;
    const spawns = stopProfile();
    startProfile();
    cpuBefore = treeCpuMs();
    let pulls = 0;
    for (let i = 0; i < REPOS; i++) {
      pulls += github.pullRequests(OWNER, repoName(i)).length;
    }
    console.log(
      JSON.stringify({
        pushes: github.pushes.filter(p => p.accepted).length,
        pulls,
        requests: github.requests.length,
        spawns,
        cpuMs,
      }),
    );
  }
  await github.stop();
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
