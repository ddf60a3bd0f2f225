import type { Example } from '../example.js';
import { Hint } from './hint.js';

export const examples: Example[] = [
  { name: 'default', render: (say) => <Hint id="example-hint">{say('It is on your identity card', '可在居民身份证上找到')}</Hint> },
];
