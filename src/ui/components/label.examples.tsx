import type { Example } from '../example.js';
import { Label } from './label.js';

export const examples: Example[] = [
  {
    name: 'with its input',
    render: (say) => (
      <div class="tb-form-group">
        <Label for="example-input">{say('Company name', '企业名称')}</Label>
        <input class="tb-input" id="example-input" name="company" type="text" autocomplete="organization" />
      </div>
    ),
  },
];
