import type { Example } from '../example.js';
import { BackLink } from './back-link.js';

export const examples: Example[] = [
  { name: 'default', render: () => <BackLink href="/apply/previous" /> },
  { name: 'custom text', render: (say) => <BackLink href="/services" text={say('Back to all services', '返回全部服务')} /> },
];
