// dlkit's public names mean one thing: no value it exports has the name of a TensorFlow.js export
// (a notebook that imports both never has two `softmax`s), the from-scratch code of chapters 3-4 is
// the `scratch` namespace, and the Trainer's and checkpoints' plumbing stays inside the library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dlkit from 'dlkit';

const exported = Object.keys(dlkit).filter((name) => name !== 'default' && name !== '__esModule');
const tensorflowNames = new Set(Object.keys(dlkit.tf));

test('no value exported by dlkit has the name of a @tensorflow/tfjs export', () => {
  const collisions = exported.filter((name) => tensorflowNames.has(name));
  assert.deepEqual(collisions, [], `dlkit exports values named like TensorFlow.js exports: ${collisions.join(', ')}`);
  assert.ok(exported.length > 100 && tensorflowNames.size > 100, 'both export lists were read');
});

test('no value exported by dlkit has the name of a TensorFlow.js layer, activation, initialiser or optimiser', () => {
  // The classes tfjs registers by name (tf.layers' LayerNormalization, the activation 'gelu', 'linear', ...):
  // a dlkit LayerNormalization or gelu would mean something other than tfjs' of the same name.
  const registered = Object.keys(dlkit.tf.serialization.SerializationMap.getMap().classNameMap);
  const lowerCase = new Set(registered.map((name) => name.toLowerCase()));
  const collisions = exported.filter((name) => lowerCase.has(name.toLowerCase()));
  assert.deepEqual(collisions, [], `dlkit exports values named like TensorFlow.js classes: ${collisions.join(', ')}`);
  assert.ok(lowerCase.has('layernormalization') && lowerCase.has('gelu') && lowerCase.has('linear'), 'the registry was read');
});

test('the from-scratch code is the scratch namespace, next to tf', () => {
  const { scratch } = dlkit;
  for (const name of ['Matrix', 'NeuralNetwork', 'softmax', 'logSoftmax', 'MomentumOptimizer', 'AdamOptimizer', 'fitLinearRegression']) {
    assert.equal(typeof (scratch as Record<string, unknown>)[name], 'function', `scratch.${name}`);
    assert.ok(!exported.includes(name), `${name} is reached as scratch.${name}, not at the top level`);
  }
  assert.notEqual(scratch.softmax as unknown, dlkit.tf.softmax as unknown);
});

test('internal plumbing is not part of the public names', () => {
  const internal = [
    'constantSchedule', 'previousCheckpointPath', 'storedTensor', 'tensorFromStored', 'saveCheckpointFolder',
    'makeOptimizer', 'getLearningRate', 'setLearningRate', 'lossByName', 'metricByName', 'checkClipNorm',
    'validationName', 'PrintEpochs', 'listenForInterruptsInKernel', 'ENGINE_REPAIR_TFJS_VERSION', 'inNotebook',
    'displayRich', 'usesPlotlyRenderer', 'plotlyScriptTag', 'ensurePlotlyInNotebook', 'equalAspectLayout', 'RESULT_PREFIX',
    'danfo', 'tableToDataFrame', 'datasetFile', 'readGoodBadTable', 'loadIdxImageFolder', 'sp500Candidates',
    'BATCH_NORM_MOMENTUM', 'heNormal', 'glorotUniform', 'checkRecommendationCount', 'clampRating',
  ];
  assert.deepEqual(internal.filter((name) => exported.includes(name)), []);
});
