import { lambdaHandler } from '../shared/handler-wiring.ts';
import type { ScaleOutEvent } from './contract.ts';

/** One function, five steps of the scale-out state machine (see contract.ts). */
export async function scaleOutStep(event: ScaleOutEvent): Promise<unknown> {
  throw new Error(`scale-out step ${event.step} is not built yet`);
}

export const handler = lambdaHandler(scaleOutStep);
