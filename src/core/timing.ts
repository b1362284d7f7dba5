/** A timed protocol step (login, check): shown in the report and in JSON as `steps` (src/report/model.ts). */
export interface StepTiming {
  name: string;
  ms: number;
}

export type Timed = <T>(name: string, work: () => Promise<T>) => Promise<T>;

/** Runs each piece of work and appends its duration to `steps`, whether it succeeds or throws. */
export function timer(steps: StepTiming[]): Timed {
  return async (name, work) => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      steps.push({ name, ms: Math.round(performance.now() - t0) });
    }
  };
}
