// `npm run bench`: Picklens's speed and cost, side by side with the reference tools, as tables of ratios.
// Never part of npm test: timings vary with the machine's load.
import { formatThroughput, pickleThroughput } from './pickle-throughput';

console.log(formatThroughput(await pickleThroughput()));
