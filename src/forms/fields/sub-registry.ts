import type { SubFieldDefinition } from '../types.js';
import { address } from './address.js';
import type { FieldModule } from './contract.js';
import { date } from './date.js';
import { email } from './email.js';
import { file } from './file.js';
import { longText } from './long-text.js';
import { money } from './money.js';
import { multipleChoice } from './multiple-choice.js';
import { number } from './number.js';
import { otherId } from './other-id.js';
import { phone } from './phone.js';
import { residentId } from './resident-id.js';
import { shortText } from './short-text.js';
import { singleChoice } from './single-choice.js';
import { yesNo } from './yes-no.js';

// Each entry's value type differs; the registry only promises the definition type matches.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ModuleFor<T extends SubFieldDefinition['type']> = FieldModule<Extract<SubFieldDefinition, { type: T }>, any>;

/**
 * Every field type that can sit inside a repeating group. The mapped type makes a missing
 * type a compile error; `registry.ts` adds the group itself.
 */
export const subFieldModules: { readonly [T in SubFieldDefinition['type']]: ModuleFor<T> } = {
  'short-text': shortText,
  'long-text': longText,
  number,
  money,
  date,
  'single-choice': singleChoice,
  'multiple-choice': multipleChoice,
  'yes-no': yesNo,
  email,
  phone,
  'resident-id': residentId,
  'other-id': otherId,
  address,
  file,
};
