import type { Example } from '../example.js';
import { Table } from './table.js';
import { Tag } from './tag.js';

export const examples: Example[] = [
  {
    name: 'with numbers and row headers',
    render: (say) => (
      <Table caption={say('Applications this month', '本月申请')} captionSize="m" firstCellIsHeader
        head={[say('Service', '服务'), { text: say('Received', '已受理'), numeric: true }, { text: say('Completed', '已办结'), numeric: true }]}
        rows={[
          [say('Business licence', '营业执照'), { text: '1,204', numeric: true }, { text: '1,150', numeric: true }],
          [say('Residence permit', '居住证'), { text: '836', numeric: true }, { text: '790', numeric: true }],
        ]} />
    ),
  },
  {
    name: 'with tags',
    render: (say) => (
      <Table caption={say('Your applications', '您的申请')} head={[say('Reference', '编号'), say('Status', '状态')]}
        rows={[['TB-0001', <Tag colour="green">{say('Approved', '已通过')}</Tag>], ['TB-0002', <Tag colour="yellow">{say('Waiting for you', '待您处理')}</Tag>]]} />
    ),
  },
];
