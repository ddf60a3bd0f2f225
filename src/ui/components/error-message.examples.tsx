import type { Example } from '../example.js';
import { ErrorMessage } from './error-message.js';

export const examples: Example[] = [
  { name: 'default', render: (say) => <ErrorMessage id="example-error">{say('Enter your address', '请输入地址')}</ErrorMessage> },
];
