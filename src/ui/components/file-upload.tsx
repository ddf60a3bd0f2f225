import type { VNode } from 'preact';
import { useT } from '../text.js';
import { fieldIds, FormGroup, HintAndError, type FieldProps } from './form-group.js';
import { Label } from './label.js';

export interface FileUploadProps extends FieldProps {
  /** e.g. `.pdf,.jpg,image/png`. */
  readonly accept?: string | undefined;
  readonly multiple?: boolean | undefined;
  /**
   * A browser cannot refill a file input, so "keep what they gave" means naming the file already
   * uploaded; the form must then treat an empty input as "keep the current file".
   */
  readonly currentFileName?: string | undefined;
}

export function FileUpload(props: FileUploadProps): VNode {
  const t = useT();
  const ids = fieldIds(props);
  return (
    <FormGroup error={props.error}>
      <Label for={ids.id} isPageHeading={props.isPageHeading}>{props.label}</Label>
      <HintAndError ids={ids} hint={props.hint} error={props.error} />
      {props.currentFileName ? <p class="tb-body tb-file-upload__current">{t('ui.fileUpload.current', { name: props.currentFileName })}</p> : null}
      <input class={props.error ? 'tb-file-upload tb-file-upload--error' : 'tb-file-upload'} id={ids.id} name={props.name} type="file"
        accept={props.accept} multiple={props.multiple} aria-describedby={ids.describedBy} aria-invalid={props.error ? 'true' : undefined} />
    </FormGroup>
  );
}
