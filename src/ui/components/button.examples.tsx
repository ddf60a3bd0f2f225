import type { Example } from '../example.js';
import { Button } from './button.js';

export const examples: Example[] = [
  { name: 'primary', render: (say) => <Button>{say('Save and continue', '保存并继续')}</Button> },
  { name: 'secondary', render: (say) => <Button variant="secondary" name="action" value="draft">{say('Save as draft', '保存草稿')}</Button> },
  { name: 'warning', render: (say) => <Button variant="warning">{say('Withdraw application', '撤回申请')}</Button> },
  { name: 'start', render: (say) => <Button href="/apply/start" start>{say('Start now', '立即开始')}</Button> },
  {
    name: 'group',
    render: (say) => (
      <div class="tb-button-group">
        <Button>{say('Continue', '继续')}</Button>
        <Button variant="secondary" href="/cancel">{say('Cancel', '取消')}</Button>
      </div>
    ),
  },
];
