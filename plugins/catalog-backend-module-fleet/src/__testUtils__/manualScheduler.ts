import {
  coreServices,
  createServiceFactory,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';

/**
 * A scheduler whose tasks run when a test triggers them (`tasks.get(id)()`),
 * and once at startup for the task ids `runAtStartup` picks.
 */
export function manualScheduler(
  runAtStartup: (taskId: string) => boolean = () => false,
) {
  const tasks = new Map<string, () => Promise<void>>();
  const factory = createServiceFactory({
    service: coreServices.scheduler,
    deps: { lifecycle: coreServices.lifecycle },
    factory: ({ lifecycle }) => {
      const scheduleTask = async (
        task: SchedulerServiceTaskInvocationDefinition,
      ) => {
        const run = () =>
          task.fn(new AbortController().signal) as Promise<void>;
        tasks.set(task.id, run);
        if (runAtStartup(task.id)) lifecycle.addStartupHook(run);
      };
      return {
        scheduleTask,
        createScheduledTaskRunner: () => ({ run: scheduleTask }),
        triggerTask: async (id: string) => tasks.get(id)!(),
        cancelTask: async () => {},
        getScheduledTasks: async () => [],
      } as unknown as SchedulerService;
    },
  });
  return { factory, tasks };
}
