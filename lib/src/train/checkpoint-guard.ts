/**
 * The guard of the reader's folders (chapter 5): a save replaces only an empty folder or a checkpoint of ours
 * (a dlkit manifest and only the files it lists); anything else is refused before training. It deletes only
 * files the library wrote, and cleans up the temporary folders of killed saves.
 */
import * as fs from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CHECKPOINT_BINARY, CHECKPOINT_MANIFEST, isCheckpointManifest, previousCheckpointPath } from './checkpoint-format';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The names of the temporary folders that saves of the checkpoint at `target` create (`.NAME.saving-PID-TIME`). */
function temporaryPattern(target: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(basename(target))}\\.saving-(\\d+)-(\\d+)$`);
}

function listSome(names: string[], count = 5): string {
  const shown = names.slice(0, count).join(', ');
  return names.length > count ? `${shown} and ${names.length - count} more` : shown;
}

/** The files of checkpoint folder `path` if it is ours (a dlkit manifest and the `GROUP.bin` files it lists), else why not. */
function ourFiles(path: string): { files: string[] } | { foreign: string } {
  const entries = fs.readdirSync(path, { withFileTypes: true });
  if (entries.length === 0) return { files: [] };
  const listing = (): string => listSome(entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort());
  const manifestEntry = entries.find((e) => e.name === CHECKPOINT_MANIFEST);
  if (!manifestEntry || !manifestEntry.isFile()) return { foreign: `it holds ${listing()} and no dlkit ${CHECKPOINT_MANIFEST}` };
  let manifest: unknown;
  try {
    manifest = JSON.parse(fs.readFileSync(join(path, CHECKPOINT_MANIFEST), 'utf8'));
  } catch {
    return { foreign: `its ${CHECKPOINT_MANIFEST} is not valid JSON (it holds ${listing()})` };
  }
  if (!isCheckpointManifest(manifest)) return { foreign: `its ${CHECKPOINT_MANIFEST} is not a dlkit checkpoint manifest (it holds ${listing()})` };
  const listed = new Set(Object.values(manifest.groups).map((g) => String((g as { file?: unknown }).file)).filter((f) => CHECKPOINT_BINARY.test(f)));
  const strangers = entries.filter((e) => !(e.isFile() && (e.name === CHECKPOINT_MANIFEST || listed.has(e.name))));
  if (strangers.length > 0) {
    return { foreign: `it holds files that are not part of the checkpoint: ${listSome(strangers.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort())}` };
  }
  return { files: entries.map((e) => e.name) };
}

/** Deletes checkpoint folder `path` file by file, only the files we wrote, then the folder if that emptied it. */
export function removeOurFolder(path: string, temporary = false): void {
  if (!fs.existsSync(path)) return;
  let names: string[];
  if (temporary) names = fs.readdirSync(path).filter((n) => n === CHECKPOINT_MANIFEST || CHECKPOINT_BINARY.test(n));
  else {
    const ours = ourFiles(path);
    if ('foreign' in ours) throw new Error(`Not deleting ${path}: ${ours.foreign}. Move those files somewhere else.`);
    names = ours.files;
  }
  for (const name of names) {
    const file = join(path, name);
    if (fs.lstatSync(file).isFile()) fs.unlinkSync(file);
  }
  try {
    fs.rmdirSync(path);
  } catch {
    // Something we did not write is still in there: leave it (and the folder).
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false; // Saves are synchronous: none of ours is in progress.
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary folders that killed saves of the checkpoint at `target` left behind (`.NAME.saving-PID-TIME`). */
export function removeLeftoverTemporaries(target: string): void {
  const parent = dirname(target);
  const pattern = temporaryPattern(target);
  for (const entry of fs.readdirSync(parent, { withFileTypes: true })) {
    const match = pattern.exec(entry.name);
    if (!match || !entry.isDirectory() || isRunning(Number(match[1]))) continue;
    removeOurFolder(join(parent, entry.name), true);
  }
}

function refuse(target: string, why: string, advice: string): Error {
  return new Error(`Cannot save checkpoints to ${target}: ${why}. ${advice}`);
}

const PICK_ANOTHER = 'A save replaces the whole folder, so give checkpoint.directory a new or empty folder of its own, e.g. "checkpoints/mnist-mlp".';

/** What makes a folder look like a project or the notebooks folder, for the error message. */
function projectHint(path: string): string {
  try {
    const hints = fs.readdirSync(path).filter((n) => n === 'package.json' || n === '.git' || n.endsWith('.ipynb'));
    return hints.length > 0 ? ` (${listSome(hints, 3)}: it looks like a project or notebooks folder)` : '';
  } catch {
    return '';
  }
}

/**
 * Throws, before training, unless a save at `directory` loses nothing: not a file, not the working folder or a parent,
 * no folder (or `NAME.previous`) holding anything but our checkpoint; a writable parent. Absent or empty is fine.
 */
export function checkCheckpointDirectory(directory: string): void {
  if (typeof directory !== 'string' || directory.trim() === '') {
    throw new Error(`checkpoint.directory must be a folder path, got ${JSON.stringify(directory)}. ${PICK_ANOTHER}`);
  }
  const target = resolve(directory);
  // Where the working folder is, seen from the target: '' (the same), 'a/b' (inside it) or '../x' (elsewhere).
  const fromTarget = relative(target, process.cwd());
  const holdsWorkingFolder = fromTarget === '' || !(fromTarget === '..' || fromTarget.startsWith(`..${sep}`) || isAbsolute(fromTarget));
  if (holdsWorkingFolder) {
    throw refuse(target, `it is the working folder ${process.cwd()} or one of its parents${projectHint(target)}`, PICK_ANOTHER);
  }
  for (const path of [target, previousCheckpointPath(target)]) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code === 'ENOTDIR') throw refuse(target, `part of the path is a file, not a folder`, PICK_ANOTHER);
      throw error;
    }
    const what = path === target ? 'it' : `${path} (where the previous checkpoint waits during a save)`;
    if (stat.isSymbolicLink()) throw refuse(target, `${what} is a symbolic link`, 'Give the real folder, or a new folder of its own.');
    if (!stat.isDirectory()) throw refuse(target, `${what} is a file, not a folder`, PICK_ANOTHER);
    const ours = ourFiles(path);
    if ('foreign' in ours) throw refuse(target, `${what} is not a dlkit checkpoint: ${ours.foreign}${projectHint(path)}`, PICK_ANOTHER);
  }
  probeWritable(dirname(target));
}

/** Creates and removes a probe folder in `parent` (creating `parent` if needed), so that a folder we cannot write is found before training. */
function probeWritable(parent: string): void {
  const probe = join(parent, `.dlkit-write-probe-${process.pid}-${Date.now()}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new Error(
        `Cannot save checkpoints in ${parent}: this process may not create folders there (${code}${code === 'EROFS' ? ', a read-only file system' : ', permission denied'}). ` +
          'Give checkpoint.directory a folder you can write to (for example one under your home folder or os.tmpdir()), or make that folder writable (chmod u+w).',
      );
    }
    if (code === 'ENOTDIR' || code === 'EEXIST') throw refuse(parent, 'part of the path is a file, not a folder', PICK_ANOTHER);
    throw new Error(`Cannot save checkpoints in ${parent}: ${(error as Error).message}. ${PICK_ANOTHER}`);
  }
}

/** A new temporary folder's path for a save of the checkpoint at `target` (`.NAME.saving-PID-TIME`, beside it). */
export function temporarySavePath(target: string): string {
  return join(dirname(target), `.${basename(target)}.saving-${process.pid}-${Date.now()}`);
}
