export { parseInput } from './parseInput';
export { decodeCursor, encodeCursor } from './cursor';
