import { z } from 'zod';
import { clusterEntitySchema } from './schema';

/**
 * The JSON schema of a Cluster entity (draft 2020-12), generated from the zod
 * schema so the two never drift. Useful for editors and for other tools that
 * validate catalog-info files.
 */
export const clusterEntityJsonSchema = z.toJSONSchema(clusterEntitySchema, {
  unrepresentable: 'any',
}) as Record<string, unknown>;
