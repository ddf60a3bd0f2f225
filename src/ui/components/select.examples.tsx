import type { Example } from '../example.js';
import { Select } from './select.js';

const items = (say: (en: string, zh: string) => string) => [
  { value: '', text: say('Choose an agency', '请选择部门') },
  { value: 'civil', text: say('Civil Affairs Bureau', '民政局') },
  { value: 'tax', text: say('Tax Bureau', '税务局') },
];

export const examples: Example[] = [
  { name: 'default', render: (say) => <Select name="agency" label={say('Agency', '办理部门')} items={items(say)} value="tax" /> },
  { name: 'error', render: (say) => <Select name="agency" label={say('Agency', '办理部门')} items={items(say)} error={say('Select an agency', '请选择办理部门')} /> },
];
