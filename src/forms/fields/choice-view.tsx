import type { VNode } from 'preact';
import type { FieldDefinition, Text } from '../types.js';
import type { ViewProps } from './contract.js';
import { FieldsetControl, text } from './view.js';

export interface ChoiceItem { readonly value: string; readonly label: string; readonly hint?: Text | undefined }

/**
 * Radios or checkboxes. The first input's id is the field id itself, so the error summary's
 * link lands on it (GOV.UK convention); the others are `<id>-2`, `<id>-3`, … What an option
 * reveals follows its item, as GOV.UK's `__conditional` block, never inline (GOV.UK advises
 * against inline radios that reveal).
 */
export function ChoiceList(props: { field: ViewProps<FieldDefinition>; kind: 'radios' | 'checkboxes'; items: readonly ChoiceItem[]; checked: ReadonlySet<string>; inline?: boolean }): VNode {
  const { field, kind } = props;
  const inline = props.inline && !(field.reveals && field.reveals.size > 0);
  return (
    <FieldsetControl field={field}>
      <div class={inline ? `tb-${kind} tb-${kind}--inline` : `tb-${kind}`}>
        {props.items.map((item, index) => {
          const id = index === 0 ? field.at.id : `${field.at.id}-${index + 1}`;
          const hint = text(item.hint, field.locale);
          const revealed = field.reveals?.get(item.value);
          return (
            <>
              <div class={`tb-${kind}__item`}>
                <input class={`tb-${kind}__input`} id={id} name={field.at.id} type={kind === 'radios' ? 'radio' : 'checkbox'}
                  value={item.value} checked={props.checked.has(item.value)} aria-describedby={hint ? `${id}-item-hint` : undefined} />
                <label class={`tb-label tb-${kind}__label`} for={id}>{item.label}</label>
                {hint ? <div id={`${id}-item-hint`} class={`tb-hint tb-${kind}__hint`}>{hint}</div> : null}
              </div>
              {revealed ? <div class={`tb-${kind}__conditional`} id={`conditional-${id}`}>{revealed}</div> : null}
            </>
          );
        })}
      </div>
    </FieldsetControl>
  );
}
