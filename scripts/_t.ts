import { classify } from '../lib/formats/classify';
import { openFileSource } from '../lib/cli/file-source';
const src = await openFileSource('/tmp/big/many-objects.pkl');
const t = performance.now();
const v = await classify(src, { name: 'x.pkl' });
const s = (performance.now() - t) / 1000;
console.log(v.risk, v.details.opcodes, `${(src.size / 1e6 / s).toFixed(1)} MB/s`, `${s.toFixed(2)} s`);
