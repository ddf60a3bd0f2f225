import type { VNode } from 'preact';
import { Fieldset } from './fieldset.js';
import { fieldIds, FormGroup, HintAndError, type FieldProps } from './form-group.js';

export interface ChoiceItem {
  readonly value: string;
  readonly text: string;
  readonly hint?: string | undefined;
}

export interface RadiosProps extends FieldProps {
  readonly items: readonly ChoiceItem[];
  /** The chosen value, kept when the page is shown again with errors. */
  readonly value?: string | undefined;
  /** Two short answers (Yes / No) side by side. */
  readonly inline?: boolean | undefined;
}

/** The first radio's id is the field id, so the error summary link lands on the first choice. */
export function itemId(id: string, index: number): string {
  return index === 0 ? id : `${id}-${index + 1}`;
}

export function Radios(props: RadiosProps): VNode {
  const ids = fieldIds(props);
  return (
    <FormGroup error={props.error}>
      <Fieldset legend={props.label} isPageHeading={props.isPageHeading} describedBy={ids.describedBy}>
        <HintAndError ids={ids} hint={props.hint} error={props.error} />
        <div class={props.inline ? 'tb-radios tb-radios--inline' : 'tb-radios'}>
          {props.items.map((item, index) => {
            const id = itemId(ids.id, index);
            const hintId = item.hint ? `${id}-item-hint` : undefined;
            return (
              <div class="tb-radios__item" key={item.value}>
                <input class="tb-radios__input" id={id} name={props.name} type="radio" value={item.value}
                  checked={props.value === item.value} aria-describedby={hintId} />
                <label class="tb-label tb-radios__label" for={id}>{item.text}</label>
                {item.hint ? <div id={hintId} class="tb-hint tb-radios__hint">{item.hint}</div> : null}
              </div>
            );
          })}
        </div>
      </Fieldset>
    </FormGroup>
  );
}
