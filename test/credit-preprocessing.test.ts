// Chapter 10's preprocessing: fitted on training data only, explicit missing indicators, class weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TabularEncoder, StandardScaler, stratifiedSplit, balancedClassWeights, weightedBinaryCrossentropy, binaryCrossentropy, tf, type Partition, type Scalar } from 'dlkit';

type Row = { income: number | null; home: string | null; label: number };
const part = (split: 'train' | 'validation' | 'test', rows: Row[]): Partition<Row> => ({ split, rows, indices: rows.map((_, i) => i) });
const train = part('train', [
  { income: 10, home: 'rent', label: 0 },
  { income: 30, home: 'owner', label: 1 },
  { income: null, home: null, label: 0 },
  { income: 20, home: 'rent', label: 1 },
]);
const features = [{ name: 'income', kind: 'number' as const }, { name: 'home', kind: 'category' as const }];

test('encoder: median fill plus an explicit missing column, one-hot with a missing category, standardised on training statistics', () => {
  const encoder = TabularEncoder.fit(train, features);
  assert.deepEqual(encoder.columnNames, ['income', 'income missing', 'home=(missing)', 'home=owner', 'home=rent']);
  assert.deepEqual(encoder.groups, [{ feature: 'income', columns: [0, 1] }, { feature: 'home', columns: [2, 3, 4] }]);
  const x = encoder.transform(train);
  // income after filling: 10, 30, 20 (the median), 20 -> mean 20, population std sqrt(50)
  const std = Math.sqrt(50);
  assert.deepEqual(x.map((r) => r[0]), [-10 / std, 10 / std, 0, 0]);
  assert.deepEqual(x.map((r) => r[1]), [0, 0, 1, 0]);
  assert.deepEqual(x[2]?.slice(2), [1, 0, 0]);
  // Test rows are scaled with the training mean and std, and an unseen category gives zeros.
  const test = encoder.transform(part('test', [{ income: 40, home: 'castle', label: 0 }]));
  assert.deepEqual(test[0], [20 / std, 0, 0, 0, 0]);
});

test('a scaler or encoder fitted on test data is refused', () => {
  const testPart = part('test', train.rows as Row[]);
  assert.throws(() => TabularEncoder.fit(testPart, features), /refusing to fit on the test split.*leak/);
  assert.throws(() => TabularEncoder.fit(part('validation', train.rows as Row[]), features), /refusing to fit on the validation split/);
  const scaler = StandardScaler.fit([[1], [2], [3]], 'test');
  assert.equal(scaler.fittedOn, 'test');
  assert.throws(() => scaler.transform([[1]]), /fitted on the test split.*leakage.*Fit it on the training split/);
  assert.deepEqual(StandardScaler.fit([[1], [3]], 'train').transform([[3]]), [[1]]);
  assert.throws(() => TabularEncoder.fit(train.rows as never, features), /pass a Partition/);
});

test('encoder bad input: a non-numeric value, an unknown field, a missing value never seen in training', () => {
  assert.throws(() => TabularEncoder.fit(part('train', [{ income: 'lots' as unknown as number, home: 'rent', label: 0 }]), features), /row 0, field "income" should be a number, found "lots"/);
  assert.throws(() => TabularEncoder.fit(train, [{ name: 'salary', kind: 'number' }]), /no field "salary"/);
  const complete = TabularEncoder.fit(part('train', [{ income: 1, home: 'a', label: 0 }, { income: 2, home: 'b', label: 1 }]), features);
  assert.throws(() => complete.transform([{ income: null, home: 'a', label: 0 }]), /no "income", but no training row lacked it/);
});

test('the encoder fitted on a stratified training split does not change when test rows change', () => {
  const rows: Row[] = Array.from({ length: 100 }, (_, i) => ({ income: i, home: i % 3 ? 'rent' : 'owner', label: i % 4 === 0 ? 1 : 0 }));
  const split = stratifiedSplit(rows, (r) => r.label, { seed: 1 });
  const a = TabularEncoder.fit(split.train, features);
  for (const i of split.test.indices) (rows[i] as Row).income = 1e6;
  const b = TabularEncoder.fit(split.train, features);
  assert.deepEqual(a.scaler.mean, b.scaler.mean);
  assert.deepEqual(a.scaler.std, b.scaler.std);
});

test('class weights balance the classes; weighted cross-entropy reduces to the plain one and weighs the rare class', () => {
  const w = balancedClassWeights([0, 0, 0, 1]);
  assert.deepEqual(w, { negative: 4 / 6, positive: 2 });
  assert.throws(() => balancedClassWeights([0, 0]), /only one class/);
  const before = tf.memory().numTensors;
  const labels = tf.tensor1d([0, 1, 1]);
  const outputs = tf.tensor2d([[0.2], [0.7], [0.4]]);
  const read = (t: Scalar) => {
    const value = t.arraySync() as number;
    t.dispose();
    return value;
  };
  const plain = read(tf.tidy(() => binaryCrossentropy()(labels, outputs)));
  const same = read(weightedBinaryCrossentropy({ negative: 1, positive: 1 })(labels, outputs));
  assert.ok(Math.abs(plain - same) < 1e-6);
  const weighted = read(weightedBinaryCrossentropy({ negative: 1, positive: 3 })(labels, outputs));
  const expected = (-Math.log(0.8) - 3 * Math.log(0.7) - 3 * Math.log(0.4)) / 3;
  assert.ok(Math.abs(weighted - expected) < 1e-5, `${weighted} vs ${expected}`);
  tf.dispose([labels, outputs]);
  assert.equal(tf.memory().numTensors, before);
});
