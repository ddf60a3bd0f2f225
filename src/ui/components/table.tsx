import type { ComponentChildren, VNode } from 'preact';

export interface TableCell {
  readonly text: ComponentChildren;
  /** Numbers align right so their digits line up. */
  readonly numeric?: boolean | undefined;
}

export type TableCellInput = ComponentChildren | TableCell;

export interface TableProps {
  readonly caption: string;
  /** Show the caption as a medium heading rather than plain bold text. */
  readonly captionSize?: 's' | 'm' | undefined;
  readonly head: readonly TableCellInput[];
  readonly rows: readonly (readonly TableCellInput[])[];
  /** The first cell of each row names the row (`<th scope="row">`). */
  readonly firstCellIsHeader?: boolean | undefined;
}

function isCell(input: TableCellInput): input is TableCell {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'text' in input && !('type' in input);
}

function cellOf(input: TableCellInput): TableCell {
  return isCell(input) ? input : { text: input };
}

export function Table({ caption, captionSize, head, rows, firstCellIsHeader }: TableProps): VNode {
  return (
    <table class="tb-table">
      <caption class={captionSize === 'm' ? 'tb-table__caption tb-table__caption--m' : 'tb-table__caption'}>{caption}</caption>
      <thead class="tb-table__head">
        <tr class="tb-table__row">
          {head.map((input, index) => {
            const cell = cellOf(input);
            return <th scope="col" class={cell.numeric ? 'tb-table__header tb-table__header--numeric' : 'tb-table__header'} key={index}>{cell.text}</th>;
          })}
        </tr>
      </thead>
      <tbody class="tb-table__body">
        {rows.map((row, r) => (
          <tr class="tb-table__row" key={r}>
            {row.map((input, index) => {
              const cell = cellOf(input);
              if (firstCellIsHeader && index === 0) return <th scope="row" class="tb-table__header" key={index}>{cell.text}</th>;
              return <td class={cell.numeric ? 'tb-table__cell tb-table__cell--numeric' : 'tb-table__cell'} key={index}>{cell.text}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
