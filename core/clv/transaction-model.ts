import { bgbbConditionalExpectedPurchases, bgbbProbabilityAlive, toBgbbParameters } from './bgbb.ts';
import { BGNBD_PARAMETER_NAMES, fitBgnbd, toBgnbdParameters } from './bgnbd-fit.ts';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchasesIfAlive,
  bgnbdProbabilityAlive,
} from './bgnbd-predict.ts';
import type { TransactionModelName } from './config.ts';
import type { FitOutcome } from './fit-log-scale.ts';
import {
  fitMbgnbd,
  MBGNBD_PARAMETER_NAMES,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdProbabilityAlive,
} from './mbgnbd.ts';
import { fitParetoNbd, PARETO_NBD_PARAMETER_NAMES, toParetoNbdParameters } from './pareto-nbd-fit.ts';
import { paretoNbdConditionalExpectedPurchases, paretoNbdProbabilityAlive } from './pareto-nbd-predict.ts';
import type { WeightedRfm } from './rfm-types.ts';

/** A fitted purchase/dropout model behind one interface, whichever of BG/NBD, Pareto/NBD or MBG/NBD it is. */
export interface FittedTransactionModel extends PurchasePredictor {
  name: TransactionModelName;
  parameterNames: readonly string[];
  fit: FitOutcome;
}

/** A purchase model's predictions at given parameters (continuous time: T in time units; BG/BB: n). */
export interface PurchasePredictor {
  probabilityAlive(x: number, tx: number, T: number): number;
  expectedPurchases(t: number, x: number, tx: number, T: number): number;
  /**
   * Only for a model whose expectedPurchases(t, x, t_x, T) is exactly 0 for t <= 0 and otherwise
   * max(0, expectedPurchasesIfAlive(t, x, T) · probabilityAlive(x, t_x, T)) (BG/NBD): see
   * cumulativeExpectations.
   */
  expectedPurchasesIfAlive?(t: number, x: number, T: number): number;
}

/** The predictions of a model at a parameter vector in its clv_models order (the bootstrap's draws). */
export function purchasePredictorAt(
  name: TransactionModelName | 'bgbb',
  params: ArrayLike<number>,
): PurchasePredictor {
  if (name === 'bgbb') {
    const p = toBgbbParameters(params);
    return {
      probabilityAlive: (x, tx, n) => bgbbProbabilityAlive(p, x, tx, n),
      expectedPurchases: (t, x, tx, n) => bgbbConditionalExpectedPurchases(p, t, x, tx, n),
    };
  }
  if (name === 'pareto_nbd') {
    const p = toParetoNbdParameters(params);
    return {
      probabilityAlive: (x, tx, T) => paretoNbdProbabilityAlive(p, x, tx, T),
      expectedPurchases: (t, x, tx, T) => paretoNbdConditionalExpectedPurchases(p, t, x, tx, T),
    };
  }
  const p = toBgnbdParameters(params);
  if (name === 'mbgnbd')
    return {
      probabilityAlive: (x, tx, T) => mbgnbdProbabilityAlive(p, x, tx, T),
      expectedPurchases: (t, x, tx, T) => mbgnbdConditionalExpectedPurchases(p, t, x, tx, T),
    };
  return {
    probabilityAlive: (x, tx, T) => bgnbdProbabilityAlive(p, x, tx, T),
    expectedPurchases: (t, x, tx, T) => bgnbdConditionalExpectedPurchases(p, t, x, tx, T),
    expectedPurchasesIfAlive: (t, x, T) => bgnbdExpectedPurchasesIfAlive(p, t, x, T),
  };
}

export function fitTransactionModel(
  name: TransactionModelName,
  rows: WeightedRfm,
  options: { penalizer: number; starts: number },
): FittedTransactionModel {
  if (name === 'pareto_nbd') {
    const fit = fitParetoNbd(rows, options);
    const p = fit.parameters;
    return {
      name,
      parameterNames: PARETO_NBD_PARAMETER_NAMES,
      fit,
      probabilityAlive: (x, tx, T) => paretoNbdProbabilityAlive(p, x, tx, T),
      expectedPurchases: (t, x, tx, T) => paretoNbdConditionalExpectedPurchases(p, t, x, tx, T),
    };
  }
  if (name === 'mbgnbd') {
    const fit = fitMbgnbd(rows, options);
    const p = fit.parameters;
    return {
      name,
      parameterNames: MBGNBD_PARAMETER_NAMES,
      fit,
      probabilityAlive: (x, tx, T) => mbgnbdProbabilityAlive(p, x, tx, T),
      expectedPurchases: (t, x, tx, T) => mbgnbdConditionalExpectedPurchases(p, t, x, tx, T),
    };
  }
  const fit = fitBgnbd(rows, options);
  const p = fit.parameters;
  return {
    name,
    parameterNames: BGNBD_PARAMETER_NAMES,
    fit,
    probabilityAlive: (x, tx, T) => bgnbdProbabilityAlive(p, x, tx, T),
    expectedPurchases: (t, x, tx, T) => bgnbdConditionalExpectedPurchases(p, t, x, tx, T),
    expectedPurchasesIfAlive: (t, x, T) => bgnbdExpectedPurchasesIfAlive(p, t, x, T),
  };
}
