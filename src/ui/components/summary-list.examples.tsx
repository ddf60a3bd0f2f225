import type { Example } from '../example.js';
import { SummaryList } from './summary-list.js';

export const examples: Example[] = [
  {
    name: 'with change links',
    render: (say) => (
      <SummaryList rows={[
        { key: say('Name', '姓名'), value: say('Li Wei', '李伟'), change: { href: '/apply/name', visuallyHiddenText: say('name', '姓名') } },
        { key: say('Date of birth', '出生日期'), value: say('5 January 1990', '1990年1月5日'), change: { href: '/apply/dob', visuallyHiddenText: say('date of birth', '出生日期') } },
        { key: say('Reference', '编号'), value: 'TB-2024-000123' },
      ]} />
    ),
  },
  {
    name: 'without actions',
    render: (say) => <SummaryList rows={[{ key: say('Status', '状态'), value: say('Received', '已受理') }, { key: say('Agency', '部门'), value: say('Tax Bureau', '税务局') }]} />,
  },
];
