import type { Example } from '../example.js';
import { Pagination } from './pagination.js';

export const examples: Example[] = [
  {
    name: 'numbered',
    render: () => (
      <Pagination previousHref="?page=1" nextHref="?page=3"
        pages={[{ number: 1, href: '?page=1' }, { number: 2, href: '?page=2', current: true }, { number: 3, href: '?page=3' }]} />
    ),
  },
  { name: 'next only', render: () => <Pagination nextHref="?page=2" /> },
];
