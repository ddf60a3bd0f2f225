import type { Example } from '../example.js';
import { Fieldset } from './fieldset.js';
import { TextInput } from './text-input.js';

export const examples: Example[] = [
  {
    name: 'address',
    render: (say) => (
      <Fieldset legend={say('What is your address?', '您的住址是？')} isPageHeading>
        <TextInput name="street" label={say('Street and number', '街道和门牌号')} autocomplete="street-address" />
        <TextInput name="city" label={say('City', '城市')} autocomplete="address-level2" width={20} />
        <TextInput name="postcode" label={say('Postcode', '邮政编码')} autocomplete="postal-code" width={10} />
      </Fieldset>
    ),
  },
];
