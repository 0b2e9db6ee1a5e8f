import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { searchQuerySchema } from '@fleetdeck/plugin-changes-common';
import { parseInput } from '@fleetdeck/fleetdeck-node';
import { ChangesService } from '../service/ChangesService';
import { searchQueryInput } from './schemas';

/** Repositories listed with their matches; the refs of all of them are listed apart. */
const MAX_RESULTS = 50;
const MAX_MATCHES = 5;
const MAX_FAILED = 20;
const MAX_TEXT = 200;

/**
 * `search-code`: the code search of the changes API, summarized for an
 * agent: every matching entity ref (to target a change with), and the first
 * matches of the first repositories.
 */
export function registerSearchCodeAction(options: {
  actionsRegistry: ActionsRegistryService;
  service: ChangesService;
}) {
  const { actionsRegistry, service } = options;
  actionsRegistry.register({
    name: 'search-code',
    title: 'Search the code of service repositories',
    description: `Searches the default branch of the repositories of catalog entities (git grep) the caller may read. Returns every matching entity ref (pass them as targets.entityRefs to create-change) and the first ${MAX_MATCHES} matches of the first ${MAX_RESULTS} repositories. Needs the changes.search permission.`,
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: searchQueryInput,
      output: z =>
        z.object({
          searched: z.number().describe('Repositories searched'),
          durationMs: z.number(),
          totalMatches: z.number(),
          matchingEntityRefs: z.array(z.string()),
          results: z.array(
            z.object({
              entityRef: z.string(),
              owner: z.string().optional(),
              repositoryUrl: z.string(),
              defaultBranch: z.string(),
              matchCount: z.number(),
              truncated: z
                .boolean()
                .describe('The repository has more matches than counted'),
              matches: z.array(
                z.object({
                  path: z.string(),
                  line: z.number(),
                  text: z.string(),
                  url: z.string().optional(),
                }),
              ),
            }),
          ),
          omittedResults: z
            .number()
            .describe('Matching repositories not listed in results'),
          failed: z.array(
            z.object({ entityRef: z.string(), message: z.string() }),
          ),
          failedCount: z.number(),
        }),
    },
    action: async ({ input, credentials }) => {
      const query = parseInput(searchQuerySchema, input);
      const response = await service.search(query, { credentials });
      const { results, failed } = response;
      return {
        output: {
          searched: response.searched,
          durationMs: response.durationMs,
          totalMatches: results.reduce((n, r) => n + r.matches.length, 0),
          matchingEntityRefs: results.map(r => r.entityRef),
          results: results.slice(0, MAX_RESULTS).map(r => ({
            entityRef: r.entityRef,
            owner: r.owner,
            repositoryUrl: r.repository.webUrl ?? r.repository.url,
            defaultBranch: r.repository.defaultBranch,
            matchCount: r.matches.length,
            truncated: r.truncated,
            matches: r.matches.slice(0, MAX_MATCHES).map(m => ({
              path: m.path,
              line: m.line,
              text: m.text.slice(0, MAX_TEXT),
              url: m.url,
            })),
          })),
          omittedResults: Math.max(0, results.length - MAX_RESULTS),
          failed: failed.slice(0, MAX_FAILED),
          failedCount: failed.length,
        },
      };
    },
  });
}
