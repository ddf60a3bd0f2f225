import type { Example } from '../example.js';
import { Details } from './details.js';

export const examples: Example[] = [
  {
    name: 'closed',
    render: (say) => <Details summary={say('Help with nationality', '关于国籍的帮助')}><p>{say('If you are not sure, check your passport.', '如不确定，请查看您的护照。')}</p></Details>,
  },
  { name: 'open', render: (say) => <Details open summary={say('What counts as proof of address', '哪些可作为住址证明')}>{say('A utility bill or a lease.', '水电费账单或租赁合同。')}</Details> },
];
