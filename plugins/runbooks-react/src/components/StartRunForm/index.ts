export { StartRunForm } from './StartRunForm';
export type { StartRunFormProps } from './StartRunForm';
export { RunPlanSummary } from './RunPlanSummary';
