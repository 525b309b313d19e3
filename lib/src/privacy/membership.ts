/** Membership inference (chapter 12; Yeom et al. 2018): was an example in training? Judged by its loss. */
import { areaUnderRoc, rocCurve } from '../evaluate/roc';
import { meanOf } from '../util/statistics';
import type { Numbers } from '../util/numbers';

/** How well the loss-threshold attack tells members from non-members. */
export interface MembershipAttackResult {
  /** Probability that a random member has lower loss than a random non-member (0.5: no leak). */
  auc: number;
  /** max over thresholds of (true-positive rate − false-positive rate); 0: no leak, 1: total. */
  advantage: number;
  /** Mean loss on members and on non-members. */
  memberLoss: number;
  nonMemberLoss: number;
}

/** The loss-threshold attack ("member" below a threshold) scored over every threshold: member losses against unseen ones. */
export function lossThresholdAttack(memberLosses: Numbers, nonMemberLosses: Numbers): MembershipAttackResult {
  if (memberLosses.length === 0 || nonMemberLosses.length === 0) {
    throw new Error('lossThresholdAttack: give the per-example losses of at least one member and one non-member.');
  }
  const labels = [...Array.from({ length: memberLosses.length }, () => 1), ...Array.from({ length: nonMemberLosses.length }, () => 0)];
  const scores = [...Array.from(memberLosses, (v) => -v), ...Array.from(nonMemberLosses, (v) => -v)];
  if (scores.some((s) => !Number.isFinite(s))) throw new Error('lossThresholdAttack: a loss is not a finite number; check the model outputs (log of 0?).');
  const curve = rocCurve(labels, scores);
  const advantage = Math.max(...curve.truePositiveRate.map((tpr, i) => tpr - (curve.falsePositiveRate[i] as number)));
  return { auc: areaUnderRoc(labels, scores), advantage, memberLoss: meanOf(memberLosses), nonMemberLoss: meanOf(nonMemberLosses) };
}
