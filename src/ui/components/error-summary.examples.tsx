import type { Example } from '../example.js';
import { dateInputTarget, DateInput } from './date-input.js';
import { ErrorSummary } from './error-summary.js';
import { TextInput } from './text-input.js';

export const examples: Example[] = [
  {
    name: 'with the fields it links to',
    render: (say) => {
      const nameError = say('Enter your full name', '请输入姓名');
      const dateError = say('Date of birth must include a year', '出生日期必须包含年份');
      return (
        <>
          <ErrorSummary errors={[
            { fieldId: 'fullName', text: nameError },
            { fieldId: dateInputTarget('birthDate', ['year']), text: dateError },
          ]} />
          <form method="post" action="/example" novalidate>
            <TextInput name="fullName" label={say('Full name', '姓名')} error={nameError} />
            <DateInput name="birthDate" label={say('Date of birth', '出生日期')} value={{ day: '3', month: '4' }} errorParts={['year']} error={dateError} />
          </form>
        </>
      );
    },
  },
];
