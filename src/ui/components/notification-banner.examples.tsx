import type { Example } from '../example.js';
import { NotificationBanner } from './notification-banner.js';

export const examples: Example[] = [
  {
    name: 'important',
    render: (say) => (
      <NotificationBanner>
        <p class="tb-heading-s">{say('You have 7 days left to send your documents.', '您还有 7 天提交材料。')} <a href="/tasks">{say('View your tasks', '查看待办事项')}</a></p>
      </NotificationBanner>
    ),
  },
  {
    name: 'success',
    render: (say) => (
      <NotificationBanner type="success">
        <p class="tb-heading-s">{say('Your appointment has been booked', '预约成功')}</p>
      </NotificationBanner>
    ),
  },
];
