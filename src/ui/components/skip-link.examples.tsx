import type { Example } from '../example.js';
import { SkipLink } from './skip-link.js';

export const examples: Example[] = [
  { name: 'to a section', render: (say) => <><SkipLink href="#section" /><h2 id="section">{say('Section', '章节')}</h2></> },
];
