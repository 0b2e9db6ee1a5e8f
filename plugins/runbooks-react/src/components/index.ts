export * from './RunParametersForm';
export * from './StartRunForm';
export * from './RunbookLauncher';
