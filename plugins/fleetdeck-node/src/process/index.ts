export { ProgramError, runProgram } from './runProgram';
export type { ProgramResult, RunProgramOptions } from './runProgram';
