import type { Example } from '../example.js';
import { InsetText } from './inset-text.js';

export const examples: Example[] = [
  { name: 'default', render: (say) => <InsetText>{say('It can take up to 8 weeks to get a decision.', '审批最长可能需要 8 周。')}</InsetText> },
];
