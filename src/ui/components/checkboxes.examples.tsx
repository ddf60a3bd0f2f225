import type { Example } from '../example.js';
import { Checkboxes } from './checkboxes.js';

const documents = (say: (en: string, zh: string) => string) => [
  { value: 'id', text: say('Identity card', '居民身份证') },
  { value: 'household', text: say('Household register', '户口簿'), hint: say('The page with your name', '本人信息页') },
  { value: 'marriage', text: say('Marriage certificate', '结婚证') },
];

export const examples: Example[] = [
  {
    name: 'default',
    render: (say) => <Checkboxes name="documents" label={say('Which documents do you have?', '您有哪些材料？')} hint={say('Select all that apply', '请选择所有适用项')} items={documents(say)} value={['id', 'marriage']} />,
  },
  {
    name: 'error',
    render: (say) => <Checkboxes name="documents" label={say('Which documents do you have?', '您有哪些材料？')} error={say('Select at least one document', '请至少选择一项材料')} items={documents(say)} />,
  },
];
