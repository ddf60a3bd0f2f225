import type { FileField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, fieldError, normalized, postedParts, rawPart, reject } from './shared.js';
import { describedBy, inputClass, SingleControl } from './view.js';

/** What the upload handler learned about a stored file. The engine never sees the bytes. */
export interface FileMeta {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  /** The store's reference to the file; opaque here. */
  readonly ref?: string;
}

const DEFAULT_ACCEPT = ['application/pdf', 'image/jpeg', 'image/png'];
const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
const NAMES: Readonly<Record<string, string>> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPG', 'image/png': 'PNG', 'image/gif': 'GIF', 'image/webp': 'WEBP', 'text/plain': 'TXT', 'text/csv': 'CSV' };
// Path separators and control characters: a name is shown back and stored, never a path.
// eslint-disable-next-line no-control-regex
const BAD_NAME = /[\\/\u0000-\u001f\u007f]/;

export function typeNames(types: readonly string[]): string {
  return types.map((t) => NAMES[t] ?? t).join(', ');
}

/** `10485760` → `10 MB`; the same text in every language. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} B`;
}

/**
 * The upload handler (someone else's job) stores the file and posts what it learned as
 * `<id>-name`, `<id>-type`, `<id>-size`, `<id>-ref`; the browser's own values are never trusted.
 */
export const file: FieldModule<FileField, FileMeta> = {
  type: 'file',
  options: {
    properties: {
      accept: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[a-z]+/[a-z0-9.+-]+$' } },
      maxSize: { type: 'integer', minimum: 1 },
    },
  },
  answerSchema: () => ({
    type: 'object',
    required: ['name', 'type', 'size'],
    additionalProperties: false,
    properties: { name: { type: 'string' }, type: { type: 'string' }, size: { type: 'integer', minimum: 0 }, ref: { type: 'string' } },
  }),
  read: (_def, body, id) => postedParts(body, id, ['name', 'type', 'size', 'ref']),
  parse: (_def, raw, at) => {
    const [name, type, size, ref] = ['name', 'type', 'size', 'ref'].map((p) => normalized(rawPart(raw, p))) as [string, string, string, string];
    if (name === '' && type === '' && size === '') return accept(undefined);
    if (!/^\d{1,15}$/.test(size)) return reject(fieldError(at, 'forms.error.check'));
    return accept({ name, type: type.toLowerCase(), size: Number(size), ...(ref ? { ref } : {}) });
  },
  toRaw: (_def, value) => ({ name: value.name, type: value.type, size: String(value.size), ...(value.ref ? { ref: value.ref } : {}) }),
  validate: (def, value, at) => {
    const accepted = def.accept ?? DEFAULT_ACCEPT;
    const maxSize = def.maxSize ?? DEFAULT_MAX_SIZE;
    if (value.name === '' || [...value.name].length > 255 || BAD_NAME.test(value.name)) return [fieldError(at, 'forms.file.name')];
    if (value.size === 0) return [fieldError(at, 'forms.file.empty')];
    if (!accepted.includes(value.type)) return [fieldError(at, 'forms.file.type', { types: typeNames(accepted) })];
    if (value.size > maxSize) return [fieldError(at, 'forms.file.size', { size: sizeText(maxSize) })];
    return [];
  },
  view: (props) => {
    const accepted = props.def.accept ?? DEFAULT_ACCEPT;
    const current = rawPart(props.raw, 'name');
    const rulesId = `${props.at.id}-rules`;
    return (
      <SingleControl field={props}>
        {(ownDescribedBy, hasError) => (
          <>
            <div id={rulesId} class="tb-hint">{props.t('forms.view.fileRules', { types: typeNames(accepted), size: sizeText(props.def.maxSize ?? DEFAULT_MAX_SIZE) })}</div>
            {current && !hasError ? <p class="tb-body">{props.t('forms.view.currentFile', { name: current })}</p> : null}
            <input class={inputClass('tb-file-upload', hasError).replace('tb-input--error', 'tb-file-upload--error')} id={props.at.id} name={props.at.id} type="file"
              accept={accepted.join(',')} aria-describedby={[ownDescribedBy ?? describedBy(props), rulesId].filter(Boolean).join(' ')} />
          </>
        )}
      </SingleControl>
    );
  },
  summary: (_def, value) => `${value.name} (${sizeText(value.size)})`,
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.upload',
  messageKeys: ['forms.error.upload', 'forms.error.check', 'forms.file.name', 'forms.file.empty', 'forms.file.type', 'forms.file.size', 'forms.view.fileRules', 'forms.view.currentFile', 'forms.view.optional', 'forms.view.errorPrefix'],
  keepsAnswerWhenEmpty: true,
};
