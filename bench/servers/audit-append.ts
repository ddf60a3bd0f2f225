import { runAppender } from '../lib/appender.js';

/** Appends audit records for a while and reports over IPC (bench/scenarios/audit.ts). Args: mode seconds concurrency. */
const [mode, seconds, concurrency] = process.argv.slice(2);
if (mode !== 'chain' && mode !== 'chain-tx' && mode !== 'plain') throw new Error('mode: chain, chain-tx or plain');
const report = await runAppender(mode, Number(seconds), Number(concurrency));
process.send?.(report, () => process.exit(0));
