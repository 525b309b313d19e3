/**
 * Membership inference (chapter 12; Yeom et al. 2018): guess whether an
 * example was in the training set from the model's loss on it alone. A model
 * that memorises has lower loss on its training examples; the attack's AUC
 * above 0.5 and its advantage (best true-positive rate minus false-positive
 * rate) measure how much it leaks.
 */
import { areaUnderRoc, rocCurve } from '../evaluate/roc';
import type { Numbers } from '../util/numbers';

/** How well the loss-threshold attack tells members from non-members (chapter 12). */
export interface MembershipAttackResult {
  /** Probability that a random member has lower loss than a random non-member (0.5: no leak). */
  auc: number;
  /** max over thresholds of (true-positive rate − false-positive rate); 0: no leak, 1: total. */
  advantage: number;
  /** Mean loss on members and on non-members. */
  memberLoss: number;
  nonMemberLoss: number;
}

/**
 * The loss-threshold membership attack (chapter 12): predicts "member" when an
 * example's loss is below a threshold, scored over every threshold.
 * `memberLosses` are per-example losses on training examples, `nonMemberLosses`
 * on examples the model never saw (same distribution, ideally the same count).
 */
export function lossThresholdAttack(memberLosses: Numbers, nonMemberLosses: Numbers): MembershipAttackResult {
  if (memberLosses.length === 0 || nonMemberLosses.length === 0) {
    throw new Error('lossThresholdAttack: give the per-example losses of at least one member and one non-member.');
  }
  const labels = [...Array.from({ length: memberLosses.length }, () => 1), ...Array.from({ length: nonMemberLosses.length }, () => 0)];
  const scores = [...Array.from(memberLosses, (v) => -v), ...Array.from(nonMemberLosses, (v) => -v)];
  if (scores.some((s) => !Number.isFinite(s))) throw new Error('lossThresholdAttack: a loss is not a finite number; check the model outputs (log of 0?).');
  const curve = rocCurve(labels, scores);
  const advantage = Math.max(...curve.truePositiveRate.map((tpr, i) => tpr - (curve.falsePositiveRate[i] as number)));
  const mean = (values: Numbers) => Array.from(values).reduce((s, v) => s + v, 0) / values.length;
  return { auc: areaUnderRoc(labels, scores), advantage, memberLoss: mean(memberLosses), nonMemberLoss: mean(nonMemberLosses) };
}
