import type { Example } from '../example.js';
import { DateInput } from './date-input.js';

export const examples: Example[] = [
  {
    name: 'date of birth',
    render: (say) => <DateInput name="birthDate" label={say('What is your date of birth?', '您的出生日期是？')} hint={say('For example, 27 3 1985', '例如：1985 3 27')} autocomplete="bday" isPageHeading />,
  },
  {
    name: 'error in one part',
    render: (say) => (
      <DateInput name="startDate" label={say('When did you start trading?', '您何时开始经营？')} value={{ day: '12', month: '13', year: '2020' }}
        errorParts={['month']} error={say('Start date must be a real date', '开始日期必须是真实存在的日期')} />
    ),
  },
  {
    name: 'error in whole date',
    render: (say) => <DateInput name="moveDate" label={say('Moving date', '搬迁日期')} error={say('Enter the moving date', '请输入搬迁日期')} />,
  },
];
