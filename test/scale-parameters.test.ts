import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  transformerEncoderParameters,
  decoderParameters,
  resnetParameters,
  denseParameters,
  normalizationParameters,
  PUBLISHED_MODELS,
  BERT_TRAINING_TOKENS,
  BERT_BASE,
  BERT_LARGE,
  GPT2_XL,
  GPT3,
  RESNET_50,
  formatCount,
} from 'dlkit';

const relativeError = (value: number, published: number) => Math.abs(value / published - 1);

test('BERT-base has 109,482,240 parameters, about the published 110M', () => {
  const count = transformerEncoderParameters(BERT_BASE);
  assert.equal(count.total, 109_482_240);
  assert.equal(count.parts['tokenEmbeddings'], 30522 * 768);
  assert.equal(count.parts['pooler'], 768 * 768 + 768);
  assert.equal(count.parts['encoderLayers'], 12 * 7_087_872);
  assert.equal(Object.values(count.parts).reduce((s, v) => s + v, 0), count.total);
  assert.ok(relativeError(count.total, 110e6) < 0.01);
  // Without the pooler: the count Hugging Face's BertModel(add_pooling_layer=False) reports.
  assert.equal(transformerEncoderParameters({ ...BERT_BASE, pooler: false }).total, 109_482_240 - 590_592);
});

test('BERT-large is within 2 % of the published 340M', () => {
  const count = transformerEncoderParameters(BERT_LARGE);
  assert.equal(count.total, 335_141_888);
  assert.ok(relativeError(count.total, 340e6) < 0.02);
});

test('GPT-3 175B and GPT-2 1.5B from their configurations', () => {
  const gpt3 = decoderParameters(GPT3);
  assert.ok(relativeError(gpt3.total, 175e9) < 0.01, `${gpt3.total}`);
  // 12·L·d² dominates: the rest (embeddings, biases, norms) is under 0.5 %.
  const core = 12 * 96 * 12288 ** 2;
  assert.ok(relativeError(gpt3.total, core) < 0.005);
  const gpt2 = decoderParameters(GPT2_XL);
  assert.equal(gpt2.total, 1_557_611_200);
  assert.ok(relativeError(gpt2.total, 1542e6) < 0.02);
  // GPT-2 small: 124,439,808 as Hugging Face's gpt2 checkpoint reports.
  assert.equal(decoderParameters({ vocabularySize: 50257, hiddenSize: 768, layers: 12, heads: 12, contextLength: 1024 }).total, 124_439_808);
  const untied = decoderParameters({ ...GPT2_XL, tiedOutputEmbedding: false });
  assert.equal(untied.total - gpt2.total, 50257 * 1600);
});

test('ResNets match torchvision counts exactly, batch-norm scale and shift included', () => {
  const resnet50 = resnetParameters(RESNET_50);
  assert.equal(resnet50.total, 25_557_032);
  assert.ok(relativeError(resnet50.total, 25.56e6) < 0.001);
  assert.equal(resnet50.nonTrainable, 53_120, 'running means and variances, as Keras reports for ResNet50');
  assert.equal(resnet50.parts['classifier'], 2048 * 1000 + 1000);
  assert.equal(resnetParameters({ blocksPerStage: [2, 2, 2, 2], block: 'basic' }).total, 11_689_512);
  assert.equal(resnetParameters({ blocksPerStage: [3, 4, 6, 3], block: 'basic' }).total, 21_797_672);
  assert.equal(resnetParameters({ blocksPerStage: [3, 4, 23, 3], block: 'bottleneck' }).total, 44_549_160);
  assert.equal(resnetParameters({ blocksPerStage: [3, 8, 36, 3], block: 'bottleneck' }).total, 60_192_808);
  assert.equal(resnetParameters({ ...RESNET_50, classes: 10 }).total, 25_557_032 - 2049 * 990);
});

test('every published model is within 2 % of its published count', () => {
  assert.equal(PUBLISHED_MODELS.length, 5);
  for (const model of PUBLISHED_MODELS) {
    const total = model.count().total;
    assert.ok(relativeError(total, model.publishedParameters) < 0.02, `${model.name}: ${total} vs ${model.publishedParameters}`);
  }
});

test("BERT's pre-training tokens follow its schedule: 90 % of 1M steps at 128 tokens, 10 % at 512, 256 sequences a step", () => {
  // Devlin et al. 2019, appendix A.2. Counting every step at 512 tokens (the paper's "128,000 tokens/batch") gives 128e9.
  const tokensPerStep = (sequenceLength: number) => 256 * sequenceLength;
  const fromSchedule = 0.9 * 1e6 * tokensPerStep(128) + 0.1 * 1e6 * tokensPerStep(512);
  assert.ok(relativeError(BERT_TRAINING_TOKENS, fromSchedule) < 1e-9, `${BERT_TRAINING_TOKENS} vs ${fromSchedule}`);
  assert.ok(BERT_TRAINING_TOKENS > 42e9 && BERT_TRAINING_TOKENS < 43e9);
  for (const name of ['BERT-base', 'BERT-large']) {
    assert.equal(PUBLISHED_MODELS.find((model) => model.name === name)?.trainingTokens, BERT_TRAINING_TOKENS, name);
  }
});

test('building blocks and bad configurations', () => {
  assert.equal(denseParameters(3, 2), 8);
  assert.equal(denseParameters(3, 2, false), 6);
  assert.equal(normalizationParameters(5), 10);
  assert.throws(() => transformerEncoderParameters({ ...BERT_BASE, heads: 7 }), /heads \(7\) must divide hiddenSize \(768\)/);
  assert.throws(() => decoderParameters({ ...GPT3, layers: 0 }), /layers must be a positive integer, got 0/);
  assert.throws(() => resnetParameters({ blocksPerStage: [3, 4, 6], block: 'bottleneck' }), /3 stages but stageWidths has 4/);
  assert.throws(() => resnetParameters({ blocksPerStage: [3, 4, 6, 3], block: 'wide' as 'basic' }), /must be 'bottleneck' or 'basic'/);
  assert.equal(formatCount(109_482_240), '109.5M');
  assert.equal(formatCount(174.6e9), '174.6B');
  assert.equal(formatCount(999), '999');
});
