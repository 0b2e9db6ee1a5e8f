export { CodeSearch } from './CodeSearch';
export type {
  CodeSearchOptions,
  ParsedSearchQuery,
  SearchTarget,
} from './CodeSearch';
export { searchTargets } from './searchTargets';
export type { SearchTargets } from './searchTargets';
export { globPathspecs } from './gitGrep';
