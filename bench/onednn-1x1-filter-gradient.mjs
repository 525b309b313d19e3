// The minimal reproduction of oneDNN's strided 1x1 filter-gradient bug (bench/README.md, issue 28): one
// TensorFlow `Conv2DBackpropFilter` on raw handles through tfjs-node's binding, not dlkit's wrapper, checked
// against plain loops. `node bench/onednn-1x1-filter-gradient.mjs [N,H,W,C,F,stride]` (default 16,8,8,4,8,2);
// TF_NUM_INTRAOP_THREADS=1 aborts with a glibc heap error at the AVX2 cap, 2 prints a wrong gradient.
import dlkit from 'dlkit';

const [n, h, w, c, f, s] = (process.argv[2] ?? '16,8,8,4,8,2').split(',').map(Number);
await dlkit.initBackend({ backend: 'node' });
// tfjs-node's backend, with the binding that lib/src/backend/native/mat-mul.ts describes.
const { binding } = /** @type {{ binding: any }} */ (/** @type {unknown} */ (dlkit.tf.backend()));
const [ho, wo] = [Math.ceil(h / s), Math.ceil(w / s)];
const xs = new Float32Array(n * h * w * c).map((_, i) => Math.sin(i * 1.3));
const dys = new Float32Array(n * ho * wo * f).map((_, i) => Math.cos(i * 0.7));
const expected = new Float64Array(c * f);
for (let b = 0; b < n; b++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) for (let k = 0; k < c; k++) for (let o = 0; o < f; o++) {
  expected[k * f + o] += xs[((b * h + i * s) * w + j * s) * c + k] * dys[((b * ho + i) * wo + j) * f + o];
}
const attrs = [
  { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
  { name: 'strides', type: binding.TF_ATTR_INT, value: [1, s, s, 1] },
  { name: 'padding', type: binding.TF_ATTR_STRING, value: 'SAME' },
  { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
  { name: 'use_cudnn_on_gpu', type: binding.TF_ATTR_BOOL, value: true },
  { name: 'dilations', type: binding.TF_ATTR_INT, value: [1, 1, 1, 1] },
];
let worst = 0;
for (let round = 0; round < 20; round++) {
  const x = binding.createTensor([n, h, w, c], binding.TF_FLOAT, xs.slice());
  const sizes = binding.createTensor([4], binding.TF_INT32, new Int32Array([1, 1, c, f]));
  const dy = binding.createTensor([n, ho, wo, f], binding.TF_FLOAT, dys.slice());
  const [dw] = binding.executeOp('Conv2DBackpropFilter', attrs, [x, sizes, dy], 1);
  /** @type {Float32Array} */ (binding.tensorDataSync(dw.id)).forEach((v, i) => { worst = Math.max(worst, Math.abs(v - expected[i])); });
  for (const id of [x, sizes, dy, dw.id]) binding.deleteTensor(id);
}
console.log(`1x1 filter gradient [${n},${h},${w},${c}] -> ${f}, stride ${s}: largest error against plain loops ${worst.toExponential(1)}`);
