// `npm run bench`: Picklens's speed and cost, side by side with the reference tools, as tables of ratios.
// Never part of npm test: timings vary with the machine's load.
import { networkBench } from './network';
import { formatSmallFiles, formatThroughput, pickleThroughput, smallFilesBench } from './pickle-throughput';
import { recordBench } from './record';
import { verifyBench } from './verify';

const only = process.argv[2];
if (!only || only === 'network') console.log(await networkBench(), '\n');
if (!only || only === 'pickle') console.log(formatThroughput(await pickleThroughput()), '\n');
if (!only || only === 'pickle' || only === 'small') console.log(formatSmallFiles(smallFilesBench()), '\n');
if (!only || only === 'record') console.log(await recordBench());
if (!only || only === 'verify') console.log(await verifyBench());
