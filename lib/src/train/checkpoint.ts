/**
 * Saving a checkpoint atomically (chapter 5): written and flushed into a temporary sibling folder, then renamed
 * into place; the old checkpoint waits as `NAME.previous` until then. Re-exports the format's reader and the guard.
 */
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { previousCheckpointPath, syncDirectory, writeCheckpointFiles, type CheckpointData } from './checkpoint-format';
import { checkCheckpointDirectory, removeLeftoverTemporaries, removeOurFolder, temporarySavePath } from './checkpoint-guard';

export { loadCheckpointFolder, previousCheckpointPath, storedTensor, tensorFromStored, type CheckpointData, type StoredTensor } from './checkpoint-format';
export { checkCheckpointDirectory } from './checkpoint-guard';

/** Saves `data` at `directory` atomically (a failure leaves the previous one), after the guard and a clean-up. */
export function saveCheckpointFolder(directory: string, data: CheckpointData): void {
  const target = resolve(directory);
  checkCheckpointDirectory(target);
  removeLeftoverTemporaries(target);
  const temporary = temporarySavePath(target);
  fs.mkdirSync(temporary);
  try {
    writeCheckpointFiles(temporary, data);
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    throw new Error(`Saving the checkpoint to ${target} failed (${(error as Error).message}); the previous checkpoint, if any, is unchanged.`);
  }
  const previous = previousCheckpointPath(target);
  try {
    if (fs.existsSync(target)) {
      removeOurFolder(previous);
      fs.renameSync(target, previous);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    removeOurFolder(temporary, true);
    throw error;
  }
  syncDirectory(dirname(target));
  removeOurFolder(previous);
}
