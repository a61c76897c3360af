// ref.js MODEL_JSON INPUT_F32 H W OUT_JSON
// Runs a TensorFlow.js graph model on a raw little-endian float32 NHWC input [1, H, W, 3] and
// writes every output (by node name, ":0" dropped) as JSON arrays. It makes the reference that
// landmarks/mediapipe's TestModelsMatchTensorFlowJS compares OpenCV's run of the converted
// graph against. Needs @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm 4.22 (see README.md).
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');

function handler(jsonPath) {
  return {
    load: async () => {
      const j = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      const specs = [];
      const shards = [];
      for (const g of j.weightsManifest) {
        specs.push(...g.weights);
        for (const p of g.paths) shards.push(fs.readFileSync(path.join(path.dirname(jsonPath), p)));
      }
      const all = Buffer.concat(shards);
      return {
        modelTopology: j.modelTopology, format: j.format, weightSpecs: specs, signature: j.signature,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

async function main() {
  const [model, input, h, w, out] = process.argv.slice(2);
  wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const m = await tf.loadGraphModel(handler(model));
  const b = fs.readFileSync(input);
  const x = tf.tensor4d(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), [1, Number(h), Number(w), 3]);
  const names = m.outputNodes;
  let res = m.execute(x, names);
  if (!Array.isArray(res)) res = [res];
  const o = {};
  for (let i = 0; i < names.length; i++) o[names[i].replace(/:0$/, '')] = Array.from(await res[i].data());
  fs.writeFileSync(out, JSON.stringify(o));
}
main().catch((e) => { console.error(e); process.exit(1); });
