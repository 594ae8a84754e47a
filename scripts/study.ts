// `npm run study`: see lib/cli/study.ts.
import { main } from '../lib/cli/study';

process.exitCode = await main(process.argv.slice(2), process.stdout, process.stderr);
