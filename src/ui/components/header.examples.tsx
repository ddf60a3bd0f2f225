import type { Example } from '../example.js';
import { Header } from './header.js';

export const examples: Example[] = [
  { name: 'signed out', render: () => <Header currentPath="/services?page=2" /> },
  { name: 'signed in', render: (say) => <Header currentPath="/applications" user={{ name: say('Li Wei', '李伟') }} csrfToken="example-token" /> },
  { name: 'without account', render: () => <Header currentPath="/" showAccount={false} /> },
];
