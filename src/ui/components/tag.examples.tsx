import type { Example } from '../example.js';
import { Tag } from './tag.js';

export const examples: Example[] = [
  {
    name: 'all colours',
    render: (say) => (
      <ul class="tb-list">
        <li><Tag>{say('Received', '已受理')}</Tag></li>
        <li><Tag colour="green">{say('Approved', '已通过')}</Tag></li>
        <li><Tag colour="red">{say('Rejected', '未通过')}</Tag></li>
        <li><Tag colour="yellow">{say('Waiting for you', '待您处理')}</Tag></li>
        <li><Tag colour="grey">{say('Draft', '草稿')}</Tag></li>
      </ul>
    ),
  },
];
