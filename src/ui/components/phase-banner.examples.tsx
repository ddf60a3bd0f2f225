import type { Example } from '../example.js';
import { PhaseBanner } from './phase-banner.js';

export const examples: Example[] = [
  { name: 'beta', render: () => <PhaseBanner feedbackHref="/feedback" /> },
  { name: 'alpha', render: () => <PhaseBanner phase="alpha" feedbackHref="/feedback" /> },
];
