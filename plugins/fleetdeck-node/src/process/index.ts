export { ProgramError, runProgram } from './runProgram';
export type {
  ProgramEndMessage,
  ProgramResult,
  RunProgramOptions,
} from './runProgram';
