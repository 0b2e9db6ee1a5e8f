import { Config } from '@backstage/config';
import { CommitReference } from '@fleetdeck/plugin-deployments-common';
import { Repository } from '@fleetdeck/fleetdeck-node';

interface TicketRule {
  pattern: RegExp;
  url?: string;
}

/** Pull request numbers in squash-merge subjects `(#123)` and merge commits `Merge pull request #123`. */
const DEFAULT_PR_PATTERN =
  '\\(#(\\d+)\\)|Merge pull request #(\\d+)|See merge request [^!\\s]*!(\\d+)';
/** Jira-style keys such as PAY-142. */
const DEFAULT_TICKET_PATTERN = '\\b[A-Z][A-Z0-9]{1,9}-\\d+\\b';

function fill(template: string, vars: Record<string, string | undefined>) {
  return template.replace(/\{(\w+)\}/g, (m, name) => vars[name] ?? m);
}

/**
 * Finds PR numbers and ticket keys in commit messages with configurable
 * patterns, and links them with URL templates (`{key}`, `{number}`, `{repo}`,
 * `{webUrl}`).
 */
export class CommitLinker {
  static fromConfig(config: Config) {
    const links = config.getOptionalConfig('deployments.links');
    const tickets = (links?.getOptionalConfigArray('tickets') ?? []).map(t => ({
      pattern: new RegExp(t.getString('pattern'), 'g'),
      url: t.getOptionalString('url'),
    }));
    const pr = links?.getOptionalConfig('pullRequests');
    return new CommitLinker({
      tickets: tickets.length
        ? tickets
        : [{ pattern: new RegExp(DEFAULT_TICKET_PATTERN, 'g') }],
      pullRequestPattern: new RegExp(
        pr?.getOptionalString('pattern') ?? DEFAULT_PR_PATTERN,
        'g',
      ),
      pullRequestUrl: pr?.getOptionalString('url'),
    });
  }

  constructor(
    private readonly options: {
      tickets: TicketRule[];
      pullRequestPattern: RegExp;
      pullRequestUrl?: string;
    },
  ) {}

  /** PR numbers mentioned in a message. */
  pullRequestNumbers(message: string): number[] {
    const numbers = new Set<number>();
    for (const m of message.matchAll(this.options.pullRequestPattern)) {
      const n =
        m.slice(1).find(g => g !== undefined) ?? m[0].replace(/\D/g, '');
      if (n) numbers.add(Number(n));
    }
    return [...numbers];
  }

  /** PR and ticket references of a commit, linked where a URL is known. */
  references(
    repo: Repository | undefined,
    subject: string,
    body: string,
  ): CommitReference[] {
    const message = body ? `${subject}\n${body}` : subject;
    const vars = { repo: repo?.name, webUrl: repo?.webUrl };
    const refs: CommitReference[] = [];
    for (const number of this.pullRequestNumbers(message)) {
      refs.push({
        type: 'pull-request',
        key: `#${number}`,
        url: this.pullRequestUrl(repo, number),
      });
    }
    const seen = new Set<string>();
    for (const rule of this.options.tickets) {
      for (const m of message.matchAll(rule.pattern)) {
        const key = m[1] ?? m[0];
        if (seen.has(key)) continue;
        seen.add(key);
        refs.push({
          type: 'ticket',
          key,
          url: rule.url ? fill(rule.url, { ...vars, key }) : undefined,
        });
      }
    }
    return refs;
  }

  private pullRequestUrl(repo: Repository | undefined, number: number) {
    const vars = {
      repo: repo?.name,
      webUrl: repo?.webUrl,
      number: String(number),
    };
    if (this.options.pullRequestUrl)
      return fill(this.options.pullRequestUrl, vars);
    if (repo?.github && repo.webUrl) return `${repo.webUrl}/pull/${number}`;
    if (repo?.gitlab && repo.webUrl)
      return `${repo.webUrl}/-/merge_requests/${number}`;
    return undefined;
  }
}
