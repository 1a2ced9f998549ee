#!/usr/bin/env node
// Makes the weights the page ships smaller: the largest matrices of the f16 safetensors file
// (tools/web-weights.sh) become int8 with one f32 scale per output channel (symmetric:
// w ≈ q · scale, q in -127..=127), which the engine turns back into f32 on load
// (src/model/quantized.rs). Everything else stays f16.
//
//   node tools/quantize-weights.mjs IN.safetensors OUT.safetensors
//
// Which tensors: the classifier (1280 → 1000), the head's 1x1 convolution (320 → 1280), every
// block's expanding 1x1 convolution and the projecting 1x1 convolutions of the last four blocks
// (12–15, the largest): 4.0 M of the 4.65 M parameters. Measured against the f32 checkpoint on
// the fixture photos (tests/pytorch_parity.rs): pooled features within cosine 0.9995, ImageNet
// top-1 the same. The other convolutions are left in f16: the projections of the earlier blocks
// (no activation after them) lose more — with blocks 9–15 cosine falls to 0.9992, with all of
// them to 0.9985 — and so do the depthwise ones.
// Output channels: axis 0 of a convolution's [out, in, k, k], axis 1 of burn's linear [in, out].

import { readFileSync, writeFileSync } from 'node:fs';

const QUANTIZED = [
  { pattern: /^classifier\.weight$/, axis: 1 },
  { pattern: /^head\.conv\.weight$/, axis: 0 },
  { pattern: /^blocks\.\d+\.expand\.conv\.weight$/, axis: 0 },
  { pattern: /^blocks\.1[2-5]\.project\.conv\.weight$/, axis: 0 },
];
const SCALE_SUFFIX = '.scale';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node tools/quantize-weights.mjs IN.safetensors OUT.safetensors');
  process.exit(2);
}

const bytes = readFileSync(input);
const headerLength = Number(bytes.readBigUInt64LE(0));
const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
const data = bytes.subarray(8 + headerLength);

function f16ToF32(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function floats(info) {
  const [start, end] = info.data_offsets;
  const raw = data.subarray(start, end);
  if (info.dtype === 'F32') return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  if (info.dtype !== 'F16') throw new Error(`cannot quantize a ${info.dtype} tensor`);
  const out = new Float32Array(raw.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = f16ToF32(raw.readUInt16LE(2 * i));
  return out;
}

/** Per-channel symmetric int8 of `values` (row-major `shape`) along `axis`. */
function quantize(values, shape, axis) {
  const channels = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i) => Math.floor(i / inner) % channels;
  const scales = new Float32Array(channels);
  values.forEach((v, i) => {
    const c = channelOf(i);
    scales[c] = Math.max(scales[c], Math.abs(v));
  });
  for (let c = 0; c < channels; c++) scales[c] = scales[c] > 0 ? scales[c] / 127 : 1;
  const q = new Int8Array(values.length);
  values.forEach((v, i) => {
    q[i] = Math.max(-127, Math.min(127, Math.round(v / scales[channelOf(i)])));
  });
  const scaleShape = shape.map((size, d) => (d === axis ? size : 1));
  return { q, scales, scaleShape };
}

const names = Object.keys(header).filter((name) => name !== '__metadata__').sort();
const parts = [];
const outHeader = {
  __metadata__: {
    ...(header.__metadata__ ?? {}),
    quantization: `int8, symmetric, one f32 scale per output channel in "<name>${SCALE_SUFFIX}"`,
  },
};
let offset = 0;
const add = (name, dtype, shape, buffer) => {
  outHeader[name] = { dtype, shape, data_offsets: [offset, offset + buffer.length] };
  parts.push(buffer);
  offset += buffer.length;
};
let quantizedCount = 0;
for (const name of names) {
  const info = header[name];
  const rule = QUANTIZED.find((r) => r.pattern.test(name));
  if (!rule) {
    add(name, info.dtype, info.shape, data.subarray(...info.data_offsets));
    continue;
  }
  const { q, scales, scaleShape } = quantize(floats(info), info.shape, rule.axis);
  add(name, 'I8', info.shape, Buffer.from(q.buffer));
  add(`${name}${SCALE_SUFFIX}`, 'F32', scaleShape, Buffer.from(scales.buffer));
  quantizedCount += q.length;
}
if (quantizedCount === 0) throw new Error(`nothing to quantize in ${input}: not Ajuste's weights file?`);
// The data section starts 8-byte aligned (safetensors pads the header with spaces).
let json = JSON.stringify(outHeader);
json += ' '.repeat((8 - (json.length % 8)) % 8);
const length = Buffer.alloc(8);
length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
writeFileSync(output, Buffer.concat([length, Buffer.from(json, 'utf8'), ...parts]));
console.error(`quantize-weights: ${quantizedCount} parameters in int8; ${output}: ${(offset / 1e6).toFixed(2)} MB of tensors`);
