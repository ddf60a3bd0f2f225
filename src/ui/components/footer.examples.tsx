import type { Example } from '../example.js';
import { Footer } from './footer.js';

export const examples: Example[] = [
  { name: 'standard links', render: () => <Footer /> },
  { name: 'own links', render: (say) => <Footer links={[{ href: '/open-data', text: say('Open data', '开放数据') }]} /> },
];
