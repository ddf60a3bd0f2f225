import type { VNode } from 'preact';
import { Fieldset } from './fieldset.js';
import { fieldIds, FormGroup, HintAndError, type FieldProps } from './form-group.js';
import { itemId, type ChoiceItem } from './radios.js';

export interface CheckboxesProps extends FieldProps {
  readonly items: readonly ChoiceItem[];
  /** The ticked values, kept when the page is shown again with errors. */
  readonly value?: readonly string[] | undefined;
}

export function Checkboxes(props: CheckboxesProps): VNode {
  const ids = fieldIds(props);
  const ticked = new Set(props.value ?? []);
  return (
    <FormGroup error={props.error}>
      <Fieldset legend={props.label} isPageHeading={props.isPageHeading} describedBy={ids.describedBy}>
        <HintAndError ids={ids} hint={props.hint} error={props.error} />
        <div class="tb-checkboxes">
          {props.items.map((item, index) => {
            const id = itemId(ids.id, index);
            const hintId = item.hint ? `${id}-item-hint` : undefined;
            return (
              <div class="tb-checkboxes__item" key={item.value}>
                <input class="tb-checkboxes__input" id={id} name={props.name} type="checkbox" value={item.value}
                  checked={ticked.has(item.value)} aria-describedby={hintId} />
                <label class="tb-label tb-checkboxes__label" for={id}>{item.text}</label>
                {item.hint ? <div id={hintId} class="tb-hint tb-checkboxes__hint">{item.hint}</div> : null}
              </div>
            );
          })}
        </div>
      </Fieldset>
    </FormGroup>
  );
}
