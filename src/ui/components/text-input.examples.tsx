import type { Example } from '../example.js';
import { TextInput } from './text-input.js';

export const examples: Example[] = [
  { name: 'default', render: (say) => <TextInput name="fullName" label={say('Full name', '姓名')} autocomplete="name" spellcheck={false} /> },
  {
    name: 'with hint and value',
    render: (say) => (
      <TextInput name="phone" type="tel" label={say('Mobile phone number', '手机号码')} hint={say('We will text you updates', '我们会通过短信通知您进展')}
        autocomplete="tel" width={20} value="13800138000" />
    ),
  },
  {
    name: 'error',
    render: (say) => (
      <TextInput name="email" type="email" label={say('Email address', '电子邮箱')} autocomplete="email" spellcheck={false}
        error={say('Enter an email address in the correct format, like name@example.com', '请按正确格式输入电子邮箱，例如 name@example.com')}
        value="name@" />
    ),
  },
  {
    name: 'page heading',
    render: (say) => <TextInput name="reference" label={say('What is your application reference?', '您的申请编号是多少？')} isPageHeading width={10} />,
  },
];
