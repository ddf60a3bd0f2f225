import type { Example } from '../example.js';
import { Panel } from './panel.js';

export const examples: Example[] = [
  {
    name: 'confirmation',
    render: (say) => (
      <Panel title={say('Application complete', '申请已提交')}>
        {say('Your reference number', '您的申请编号')}<br /><strong>TB-2024-000123</strong>
      </Panel>
    ),
  },
  { name: 'title only', render: (say) => <Panel title={say('Payment received', '已收到付款')} headingLevel={2} /> },
];
