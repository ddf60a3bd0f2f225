import type { Example } from '../example.js';
import { Radios } from './radios.js';

export const examples: Example[] = [
  {
    name: 'default',
    render: (say) => (
      <Radios name="contact" label={say('How should we contact you?', '我们应如何联系您？')} value="sms" items={[
        { value: 'email', text: say('Email', '电子邮件') },
        { value: 'sms', text: say('Text message', '短信'), hint: say('Standard rates apply', '按标准资费收费') },
        { value: 'post', text: say('Post', '邮寄') },
      ]} />
    ),
  },
  {
    name: 'inline page heading',
    render: (say) => (
      <Radios name="hasLicence" label={say('Do you already have a licence?', '您是否已有许可证？')} isPageHeading inline items={[
        { value: 'yes', text: say('Yes', '是') },
        { value: 'no', text: say('No', '否') },
      ]} />
    ),
  },
  {
    name: 'error',
    render: (say) => (
      <Radios name="hall" label={say('Which service hall will you visit?', '您将前往哪个办事大厅？')} hint={say('Choose one', '请选择一个')}
        error={say('Select the service hall you will visit', '请选择您将前往的办事大厅')} items={[
          { value: 'north', text: say('North district', '北区') },
          { value: 'south', text: say('South district', '南区') },
        ]} />
    ),
  },
];
