/**
 * Saving a checkpoint safely (chapter 5): the format (`checkpoint-format.ts`) written
 * atomically into a folder the guard (`checkpoint-guard.ts`) allows. Everything is written into a
 * temporary sibling folder and flushed to disk; only then does it replace the old checkpoint by a
 * rename. The previous checkpoint is moved aside to `NAME.previous` first and deleted only after
 * the new one is in place, so an interrupted save never leaves you without a good checkpoint.
 */
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { previousCheckpointPath, syncDirectory, writeCheckpointFiles, type CheckpointData } from './checkpoint-format';
import { checkCheckpointDirectory, removeLeftoverTemporaries, removeOurFolder, temporarySavePath } from './checkpoint-guard';

export { loadCheckpointFolder, previousCheckpointPath, storedTensor, tensorFromStored, type CheckpointData, type StoredTensor } from './checkpoint-format';
export { checkCheckpointDirectory } from './checkpoint-guard';

/**
 * Saves `data` as a checkpoint folder at `directory`, atomically (chapter 5).
 * If anything fails midway the temporary folder is removed and the previous
 * checkpoint at `directory` is untouched. Refuses (see
 * `checkCheckpointDirectory`) to replace anything but an earlier checkpoint or
 * an empty folder, and first removes the temporary folders that killed saves of
 * this checkpoint left behind.
 */
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
