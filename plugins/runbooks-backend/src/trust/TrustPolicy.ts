import { Config } from '@backstage/config';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { resolve as resolvePath } from 'path';

/** Whether an entity may execute (a Runbook) or be acted on (a target), and why not. */
export type Trust = { trusted: true } | { trusted: false; reason: string };

/**
 * Location types whose entities only Fleetdeck's inventory providers emit:
 * the catalog sets `backstage.io/managed-by-location` itself for entities it
 * reads from locations (a catalog-info file cannot claim it), and locations
 * registered through the API are limited to `catalog.allowedLocationTypes`
 * (`url` by default), so no user can make an entity carry this type.
 */
const INVENTORY_LOCATION_TYPES = ['fleet-inventory'];

/** `type:target` of a location, the way the catalog's location annotations write it. */
function locationRef(type: string, target: string) {
  return `${type}:${type === 'file' ? resolvePath(target) : target}`;
}

function splitRef(ref: string): { type: string; target: string } {
  const index = ref.indexOf(':');
  return index < 0
    ? { type: ref, target: '' }
    : { type: ref.slice(0, index), target: ref.slice(index + 1) };
}

/**
 * Where runbooks may come from, and which entities they may act on.
 *
 * A Runbook is code: its steps run playbooks, commands and HTTP calls with the
 * portal's credentials. It may run only when it was read from a trusted
 * source:
 *
 * - a location in app-config (`catalog.locations`): the catalog's operators
 *   wrote those, and everything read through them (a Location file listing
 *   runbooks next to their playbooks) is theirs too;
 * - a source named in `runbooks.trustedSources`: location refs such as
 *   `url:https://git.bank.example/ops/runbooks/` (a prefix that ends in `/`
 *   covers everything below it; otherwise the ref must match exactly). Both
 *   the file the entity was read from and the location it was registered as
 *   must be under such a source, so a trusted repository cannot be pointed at
 *   from an untrusted one and the other way around.
 *
 * Everything else, above all a location any signed-in user registered through
 * the catalog API, stays visible in the catalog but cannot run.
 *
 * Targets follow the same rule, and may also come from Fleetdeck's inventory
 * providers (`fleet-inventory:...` locations).
 */
export class TrustPolicy {
  static fromConfig(config: Config): TrustPolicy {
    const configLocations = (
      config.getOptionalConfigArray('catalog.locations') ?? []
    ).map(l => locationRef(l.getString('type'), l.getString('target')));
    const sources = (
      config.getOptionalStringArray('runbooks.trustedSources') ?? []
    ).map((source, i) => {
      const { type, target } = splitRef(source.trim());
      if (
        !type ||
        !target ||
        !/^[a-z][a-z0-9+.-]*$/i.test(type) ||
        /^https?$/i.test(type)
      ) {
        throw new Error(
          `runbooks.trustedSources[${i}] '${source}' is not a location ref: write it as <type>:<target>, e.g. url:https://git.example/ops/runbooks/ or file:/srv/runbooks/`,
        );
      }
      if (type === 'url') {
        let url: URL;
        try {
          url = new URL(target);
        } catch {
          throw new Error(
            `runbooks.trustedSources[${i}] '${source}' is not a valid URL`,
          );
        }
        // a bare host would trust every repository on it
        if (url.pathname === '/' || url.pathname === '') {
          throw new Error(
            `runbooks.trustedSources[${i}] '${source}' names a whole server: name a repository or a folder in one`,
          );
        }
      }
      const ref = locationRef(type, target);
      // a folder stays a folder (a resolved file path loses its slash)
      return target.endsWith('/') && !ref.endsWith('/') ? `${ref}/` : ref;
    });
    return new TrustPolicy({ configLocations, trustedSources: sources });
  }

  private readonly configLocations: Set<string>;
  private readonly trustedSources: string[];

  constructor(options: {
    configLocations?: string[];
    trustedSources?: string[];
  }) {
    this.configLocations = new Set(options.configLocations ?? []);
    this.trustedSources = options.trustedSources ?? [];
  }

  private underTrustedSource(ref: string | undefined) {
    if (!ref) return false;
    return this.trustedSources.some(source =>
      source.endsWith('/') ? ref.startsWith(source) : ref === source,
    );
  }

  private fromTrustedLocation(entity: Entity): Trust {
    const annotations = entity.metadata.annotations ?? {};
    const location = annotations[ANNOTATION_LOCATION];
    const origin = annotations[ANNOTATION_ORIGIN_LOCATION];
    if (origin && this.configLocations.has(origin)) return { trusted: true };
    if (this.underTrustedSource(location) && this.underTrustedSource(origin)) {
      return { trusted: true };
    }
    const where =
      location && origin && location !== origin
        ? `${location} (registered as ${origin})`
        : location ?? origin ?? 'an unknown location';
    return {
      trusted: false,
      reason: `${stringifyEntityRef(
        entity,
      )} was read from ${where}, which is neither a catalog location in app-config nor under runbooks.trustedSources`,
    };
  }

  /** Whether a Runbook may run. */
  runbook(runbook: Entity): Trust {
    const trust = this.fromTrustedLocation(runbook);
    return trust.trusted
      ? trust
      : { trusted: false, reason: `Not trusted: ${trust.reason}` };
  }

  /** Whether a runbook may act on an entity. */
  target(entity: Entity): Trust {
    const location = entity.metadata.annotations?.[ANNOTATION_LOCATION];
    if (
      location &&
      INVENTORY_LOCATION_TYPES.includes(splitRef(location).type) &&
      location === entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION]
    ) {
      return { trusted: true };
    }
    const trust = this.fromTrustedLocation(entity);
    return trust.trusted
      ? trust
      : {
          trusted: false,
          reason: `Not a trusted target: ${trust.reason}, nor from an inventory provider`,
        };
  }
}
