/** Checkpoints as a callback (chapter 5), run after every other callback so a checkpoint holds their progress. */
import { checkCheckpointDirectory } from './checkpoint-guard';
import { checkPositiveIntegers } from '../util/validate';
import type { EpochLogs, TrainerCallback, TrainerControl, TrainingPlan } from './callbacks';

export interface CheckpointOptions {
  /** The checkpoint's folder: new, empty or an earlier checkpoint (anything else is refused before training). */
  directory: string;
  /** Save every this many epochs (default 1); the last epoch and an early stop are always saved. */
  everyEpochs?: number;
}

/** Saves a checkpoint every `everyEpochs` epochs and when training ends. */
export class CheckpointCallback implements TrainerCallback {
  readonly directory: string;
  readonly everyEpochs: number;
  private epochs = 0;

  constructor(options: CheckpointOptions) {
    this.directory = options?.directory;
    this.everyEpochs = options?.everyEpochs ?? 1;
    checkPositiveIntegers('Trainer.fit: checkpoint', { everyEpochs: this.everyEpochs });
    checkCheckpointDirectory(this.directory);
  }

  onTrainBegin(plan: TrainingPlan): void {
    this.epochs = plan.epochs;
  }

  async onEpochEnd(_logs: EpochLogs, control: TrainerControl): Promise<void> {
    if (!control.saveCheckpoint) throw new Error('CheckpointCallback: this trainer cannot save checkpoints; use it with dlkit\'s Trainer.');
    if (control.epoch % this.everyEpochs === 0 || control.epoch === this.epochs || control.stopTraining) await control.saveCheckpoint(this.directory);
  }
}
