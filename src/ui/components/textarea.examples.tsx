import type { Example } from '../example.js';
import { Textarea } from './textarea.js';

export const examples: Example[] = [
  { name: 'default', render: (say) => <Textarea name="reason" label={say('Why are you applying?', '申请原因')} hint={say('Do not include personal details', '请勿填写个人敏感信息')} /> },
  {
    name: 'error',
    render: (say) => (
      <Textarea name="details" label={say('Describe the problem', '请描述问题')} value={say('It broke', '坏了')}
        error={say('Description must be 20 characters or more', '描述不能少于 20 个字')} />
    ),
  },
];
