/** Layers models on disk (chapter 7): a `file://` handler for pure-JS tfjs, folders as tensorflowjs_converter makes. */
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { tf } from '../backend/tf';
import type { LayersModel, io } from '@tensorflow/tfjs';

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

function folderOf(source: string): string {
  let path = source.startsWith('file://') ? source.slice('file://'.length) : source;
  if (path.endsWith('model.json')) path = path.slice(0, -'model.json'.length);
  return resolve(path || '.');
}

/** An io handler for a folder (`model.json` plus `weights.bin`), for `model.save` and `tf.loadLayersModel`. */
export function folderHandler(directory: string): io.IOHandler {
  const folder = folderOf(directory);
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('folderHandler: saving a binary (GraphDef) topology is not supported; save a tf.LayersModel.');
      }
      fs.mkdirSync(folder, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const weightsFile = 'weights.bin';
      const modelJson: io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${weightsFile}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      // Weights first, model.json last: a folder with a model.json is complete.
      const temporary = join(folder, `.model.json.saving-${process.pid}`);
      fs.writeFileSync(join(folder, weightsFile), new Uint8Array(weightData));
      fs.writeFileSync(temporary, JSON.stringify(modelJson));
      fs.renameSync(temporary, join(folder, 'model.json'));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData }) };
    },
    async load(): Promise<io.ModelArtifacts> {
      const jsonPath = join(folder, 'model.json');
      if (!fs.existsSync(jsonPath)) {
        throw new Error(
          `No model.json in ${folder}. A TensorFlow.js model folder holds model.json and the weight files it lists; ` +
            'save one with saveModelToFolder(model, folder), or put the files of a converted model (tensorflowjs_converter) there.',
        );
      }
      let modelJson: io.ModelJSON;
      try {
        modelJson = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as io.ModelJSON;
      } catch (error) {
        throw new Error(`${jsonPath} is not valid JSON (${(error as Error).message}); the model folder is damaged, save or copy it again.`);
      }
      if (!modelJson.modelTopology) throw new Error(`${jsonPath} has no modelTopology; it is not a TensorFlow.js model file.`);
      const buffers: Uint8Array[] = [];
      const specs: io.WeightsManifestEntry[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        for (const path of group.paths) {
          const file = join(folder, path);
          if (!fs.existsSync(file)) throw new Error(`The weight file ${file} listed in ${jsonPath} is missing; copy the whole model folder again.`);
          buffers.push(fs.readFileSync(file));
        }
        specs.push(...group.weights);
      }
      const total = buffers.reduce((sum, b) => sum + b.length, 0);
      const expected = specs.every((s) => !s.quantization && BYTES_PER_DTYPE[s.dtype] !== undefined)
        ? specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_DTYPE[s.dtype] as number), 0)
        : null;
      if (expected !== null && total !== expected) {
        throw new Error(`The weight files of ${folder} hold ${total} bytes but model.json describes ${expected}; the folder is truncated or mixed up, copy it again.`);
      }
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const b of buffers) {
        weightData.set(b, offset);
        offset += b.length;
      }
      return {
        modelTopology: modelJson.modelTopology,
        weightSpecs: specs,
        weightData: weightData.buffer,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        ...(modelJson.trainingConfig ? { trainingConfig: modelJson.trainingConfig } : {}),
        ...(modelJson.userDefinedMetadata ? { userDefinedMetadata: modelJson.userDefinedMetadata } : {}),
      };
    },
  };
}

let routersRegistered = false;

/** Makes `model.save('file://dir')` and `tf.loadLayersModel('file://dir')` work, unless a `file://` handler exists. */
export function registerFileRouters(): void {
  if (routersRegistered) return;
  routersRegistered = true;
  // tfjs routers return null for URLs they do not handle, although the type says IOHandler.
  const router = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? folderHandler(url) : null) as unknown as (url: string | string[]) => io.IOHandler;
  if (tf.io.getSaveHandlers('file:///probe').length === 0) tf.io.registerSaveRouter(router);
  if (tf.io.getLoadHandlers('file:///probe').length === 0) tf.io.registerLoadRouter(router);
}

/** Saves a Layers model (architecture and weights) into a folder. */
export async function saveModelToFolder(model: LayersModel, directory: string): Promise<io.SaveResult> {
  return model.save(folderHandler(directory));
}

/** Loads a Layers model from a local folder, its model.json, a `file://` URL, or an http(s) URL. */
export async function loadPretrainedModel(source: string): Promise<LayersModel> {
  if (/^https?:\/\//i.test(source)) return tf.loadLayersModel(source);
  const folder = folderOf(source);
  if (!fs.existsSync(folder)) {
    throw new Error(`loadPretrainedModel: the folder ${folder} does not exist. Put the model's model.json and weight files there first (the book never downloads at run time).`);
  }
  return tf.loadLayersModel(folderHandler(folder));
}
